"""Encoder-only probe of the information-maximisation recipes (IMSAT, Hu et al. 2017), in PyTorch.

Trains only an MLP encoder x -> logits on MNIST's 60k training images with the consistency +
λ·(H(Y|X) − η·H(Y)) loss of losses/infomax.go, against augmented views: the warp of
layers.RandomAffine (nearest pixel), Gaussian noise, and/or a virtual adversarial view (VAT) with
IMSAT's adaptive ε (a multiple of each image's distance to its 10th nearest neighbour) or a fixed
one. Prints the test split's argmax purity every --every steps and one RESULT line.

It isolates the encoder's part of the default preset (no GAN) so that recipes can be compared in
seconds on a GPU; it is a reference, not part of the framework. Defaults are the default preset's
encoder terms: MLP 784-256-256-10 with batch norm and LReLU(0.2), batch 64, Adam 2e-4 (β 0.5/0.9),
λ = 1, η = 2, warp of 3 px, 15°, ±10%. IMSAT's MNIST setting is
  --noaffine 1 --vat 0.25 --hidden 1200,1200 --act relu --lam 0.1 --eta 4 --lr 2e-3 --beta1 0.9 --bs 250
Sweeps and their results: benchmarks/pytorch/encoder_probe_sweep.sh, docs/time-to-accuracy.md.
"""
import gzip, numpy as np, torch, torch.nn as nn, torch.nn.functional as F, time, argparse, sys, os
p = argparse.ArgumentParser()
p.add_argument('--name', default='x')
p.add_argument('--data', required=True, help='directory with the four MNIST idx .gz files')
p.add_argument('--shift', type=int, default=3); p.add_argument('--rot', type=float, default=15); p.add_argument('--scale', type=float, default=0.1)
p.add_argument('--views', type=int, default=1)
p.add_argument('--lam', type=float, default=1); p.add_argument('--eta', type=float, default=2)
p.add_argument('--lr', type=float, default=2e-4); p.add_argument('--beta1', type=float, default=0.5); p.add_argument('--bs', type=int, default=64)
p.add_argument('--hidden', default='256,256'); p.add_argument('--steps', type=int, default=10000)
p.add_argument('--act', default='lrelu')
p.add_argument('--conv', default='', help='conv encoder: channels of the 5x5 stride-2 conv layers before the MLP, e.g. 16,32')
p.add_argument('--threads', type=int, default=0); p.add_argument('--bn', type=int, default=1)
p.add_argument('--vat', type=float, default=0)  # >0: adaptive eps = vat * dist to 10th NN
p.add_argument('--vatfix', type=float, default=0)
p.add_argument('--noaffine', type=int, default=0)
p.add_argument('--noise', type=float, default=0)
p.add_argument('--seed', type=int, default=1)
p.add_argument('--dev', default='cuda' if torch.cuda.is_available() else 'cpu')
p.add_argument('--every', type=int, default=1000)
a = p.parse_args(); torch.manual_seed(a.seed); np.random.seed(a.seed)
dev = a.dev
def imgs(f):
    b = gzip.open(f).read(); return np.frombuffer(b, np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255
def labs(f): return np.frombuffer(gzip.open(f).read(), np.uint8, offset=8)
X = torch.tensor(imgs(a.data + '/train-images-idx3-ubyte.gz')).to(dev); Xt = torch.tensor(imgs(a.data + '/t10k-images-idx3-ubyte.gz')).to(dev)
yt = labs(a.data + '/t10k-labels-idx1-ubyte.gz')
eps_all = None
if a.vat > 0:
    d10 = []
    for i in range(0, len(X), 2000):
        d = torch.cdist(X[i:i + 2000], X); d10.append(d.topk(11, largest=False).values[:, 10])
    eps_all = torch.cat(d10) * a.vat
    print(a.name, 'eps mean', eps_all.mean().item(), 'q10/50/90', [round(eps_all.quantile(q).item(),3) for q in (0.1,0.5,0.9)], flush=True)
if a.vatfix > 0:
    eps_all = torch.full((len(X),), a.vatfix, device=dev)
if a.threads > 0: torch.set_num_threads(a.threads)
act = lambda: nn.LeakyReLU(0.2) if a.act == 'lrelu' else nn.ReLU()
hs = [int(h) for h in a.hidden.split(',')] if a.hidden else []
layers = []; n = 784
if a.conv:
    c_in, side = 1, 28
    layers.append(nn.Unflatten(1, (1, 28, 28)))
    for c in [int(c) for c in a.conv.split(',')]:
        layers += [nn.Conv2d(c_in, c, 5, stride=2, padding=2)] + ([nn.BatchNorm2d(c, affine=False)] if a.bn else []) + [act()]
        c_in, side = c, (side + 1) // 2
    layers.append(nn.Flatten()); n = c_in * side * side
for h in hs:
    layers += [nn.Linear(n, h)] + ([nn.BatchNorm1d(h, affine=False)] if a.bn else []) + [act()]; n = h
E = nn.Sequential(*layers, nn.Linear(n, 10)).to(dev)
opt = torch.optim.Adam(E.parameters(), lr=a.lr, betas=(a.beta1, 0.999 if a.beta1 > 0.8 else 0.9))
def warp(x):
    B = x.shape[0]; th = (torch.rand(B, device=dev) * 2 - 1) * a.rot * 3.14159 / 180; sc = 1 + (torch.rand(B, device=dev) * 2 - 1) * a.scale
    t = (torch.randint(-a.shift, a.shift + 1, (B, 2), device=dev).float()) * 2 / 28
    A = torch.zeros(B, 2, 3, device=dev); A[:, 0, 0] = torch.cos(th) / sc; A[:, 0, 1] = -torch.sin(th) / sc; A[:, 1, 0] = torch.sin(th) / sc; A[:, 1, 1] = torch.cos(th) / sc; A[:, :, 2] = t
    gr = F.affine_grid(A, (B, 1, 28, 28), align_corners=False)
    return F.grid_sample(x.view(B, 1, 28, 28), gr, mode='nearest', align_corners=False).view(B, 784)
def purity(pred, y):
    t = 0
    for c in np.unique(pred): t += np.bincount(y[pred == c]).max()
    return t / len(y)
t0 = time.time(); best = 0; hist = []
for step in range(1, a.steps + 1):
    idx = torch.randint(0, len(X), (a.bs,), device=dev); x = X[idx]
    logits = E(x); p_ = F.softmax(logits, 1); logp = F.log_softmax(logits, 1)
    cons = 0
    if not a.noaffine:
        for _ in range(a.views):
            q = F.log_softmax(E(warp(x)), 1); cons = cons - (p_.detach() * q).sum(1).mean()
    if a.noise > 0:
        q = F.log_softmax(E(x + a.noise * torch.randn_like(x)), 1); cons = cons - (p_.detach() * q).sum(1).mean()
    if eps_all is not None:
        dd = torch.randn_like(x); dd = 1e-6 * dd / dd.norm(dim=1, keepdim=True); dd.requires_grad_(True)
        kl = F.kl_div(F.log_softmax(E(x + dd), 1), p_.detach(), reduction='batchmean')
        g, = torch.autograd.grad(kl, dd); r = eps_all[idx, None] * g / (g.norm(dim=1, keepdim=True) + 1e-12)
        q = F.log_softmax(E(x + r.detach()), 1); cons = cons - (p_.detach() * q).sum(1).mean()
    hc = -(p_ * logp).sum(1).mean(); m = p_.mean(0); hm = -(m * torch.log(m + 1e-12)).sum()
    loss = cons + a.lam * (hc - a.eta * hm)
    opt.zero_grad(); loss.backward(); opt.step()
    if step % a.every == 0 or step == a.steps:
        E.eval()
        with torch.no_grad(): pr = E(Xt).argmax(1).cpu().numpy()
        E.train()
        pu = purity(pr, yt); best = max(best, pu); hist.append(round(float(pu), 3))
        print(a.name, step, round(time.time() - t0, 1), 'purity', round(float(pu), 4), 'nclust', len(np.unique(pr)), flush=True)
print('RESULT', a.name, 'best', round(float(best), 4), 'final', hist[-1], 'hist', hist, 'secs', round(time.time() - t0, 1), ' '.join(sys.argv[1:]), flush=True)
