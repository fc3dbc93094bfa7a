#!/usr/bin/env python3
"""PyTorch reference of one ClusterGAN training iteration, for timing side by side with
trainer.BenchmarkIteration (trainer/bench_test.go).

It is a reference for speed comparisons only; the Go framework does not depend on it. Each case
builds exactly the networks, losses and optimisers of the Go sub-benchmark of the same name and
times one iteration as the Go trainer runs it (trainer/trainer.go, buildIteration):

  * n_critic critic steps, each on a fresh real batch (64 rows drawn with replacement from a
    1000×784 training split) and fresh z; G's output is a constant in the critic step;
  * one generator+encoder step on fresh z: adversarial loss + β_n·mean((z_n − ẑ_n)²) +
    β_c·CE(z_c, logits), updating G and E only (D's weights get no gradient); with β_x > 0
    (case mlp-default-beta-x) it adds β_x·mean((x − G(ẑ_n, softmax(logits)))²) on another fresh
    real batch x, with (ẑ_n, logits) = E(x) (trainer.realDataLoss); with β_mi > 0 (case
    mlp-default-beta-mi, the default preset) it adds β_mi·InfoMaxLoss(logits, E(shift(x))) on the
    same real batch, shift translating each image by up to MI_SHIFT pixels, rotating it by up to
    MI_ROTATION degrees and scaling it by up to MI_SCALE (layers.RandomAffine);
  * the five losses of the iteration are copied to the host (RunStep returns them).

Settings are those of trainer.NewContext's defaults (priors, layers, losses, trainer packages)
with each case's overrides; see the constants below. Output: one line per case,

  RESULT case=<name> ms_per_iter=<mean> median_ms=<median> iters=<n> warmup=<w> threads=<t> torch=<version>

Usage: clustergan_bench.py [--cases a,b] [--threads 2] [--iters N | --iters case=N,...] [--warmup W]
"""

import argparse
import math
import os
import statistics
import sys
import time

# Defaults of the Go context (trainer.NewContext) the benchmark cases start from.
NOISE_DIM = 30  # priors.DefaultNoiseDim (dn)
NUM_CLUSTERS = 10  # priors.DefaultNumClusters (K)
SIGMA = 0.10  # priors.DefaultSigma
BATCH = 64  # trainer ParamBatchSize
LR = 1e-4  # critic and generator learning rates
BETAS = (0.5, 0.9)  # Adam β1, β2
ADAM_EPS = 1e-8
GP_LAMBDA = 10.0  # losses.DefaultGPLambda; ε drawn once per batch (gp_per_sample=false)
BETA_N = 10.0  # losses.DefaultBetaN
BETA_C = 10.0  # losses.DefaultBetaC
BETA_X = 0.0  # losses.DefaultBetaX: no real-data reconstruction term unless a case sets beta_x
BETA_MI = 0.0  # losses.DefaultBetaMI: no information-maximisation term unless a case sets beta_mi
MI_LAMBDA, MI_ETA, MI_SHIFT = 1.0, 2.0, 3  # losses.DefaultMILambda, DefaultMIEta, DefaultMIShift
MI_ROTATION, MI_SCALE = 15.0, 0.1  # the default preset's mi_rotation, mi_scale (the beta_mi case's warp)
GRAD_NORM_EPS = 1e-12  # losses.gradNormEpsilon: ‖∇D‖ = sqrt(Σ g² + 1e-12)
WEIGHT_STD = 0.02  # layers.WeightStdDev
LRELU = 0.2  # layers.LeakyReLUAlpha
BN_EPS = 1e-3  # layers.BatchNormEpsilon
MLP_HIDDEN = (256, 256)  # layers default mlp_hidden
CONV_CHANNELS = (64, 128)  # layers "conv": channels1, channels2
CONV_HIDDEN = 1024  # layers "conv": hidden
IMAGE = (28, 28, 1)  # MNIST H, W, C
DATA_ROWS = 1000  # trainer.BenchmarkIteration: tinyData(1000, 784)

# The Go sub-benchmarks (trainer/bench_test.go) and their overrides of the defaults.
CASES = {
    "mlp-default": dict(arch="mlp", batch_norm=True, loss="vanilla", n_critic=1),
    "mlp-default-beta-x": dict(arch="mlp", batch_norm=True, loss="vanilla", n_critic=1, beta_x=10.0),
    "mlp-default-beta-mi": dict(arch="mlp", batch_norm=True, loss="vanilla", n_critic=1, beta_x=10.0, beta_mi=50.0),
    "mlp-conv-encoder": dict(arch="mlp", batch_norm=True, loss="vanilla", n_critic=1, beta_x=10.0, beta_mi=50.0,
                             enc_conv=(16, 32), enc_hidden=(128,)),
    "mlp-wgan-gp-1critic": dict(arch="mlp", batch_norm=False, loss="wgan-gp", n_critic=1),
    "conv-paper-1critic": dict(arch="conv", loss="wgan-gp", n_critic=1),
    "conv-paper-5critic": dict(arch="conv", loss="wgan-gp", n_critic=5),
}
DEFAULT_ITERS = {"mlp-default": 50, "mlp-default-beta-x": 50, "mlp-default-beta-mi": 50, "mlp-conv-encoder": 50,
                 "mlp-wgan-gp-1critic": 50,
                 "conv-paper-1critic": 10, "conv-paper-5critic": 4}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", default=",".join(CASES), help="comma-separated case names (default: all)")
    p.add_argument("--threads", type=int, default=2, help="intra-op threads: the core count (default 2)")
    p.add_argument("--iters", default="", help="timed iterations: N for every case, or case=N,... (default per case: "
                   + ", ".join(f"{k}={v}" for k, v in DEFAULT_ITERS.items()) + ")")
    p.add_argument("--warmup", type=int, default=3, help="untimed iterations before timing (default 3)")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    args.cases = [c for c in args.cases.replace(" ", ",").split(",") if c]
    for c in args.cases:
        if c not in CASES:
            p.error(f"unknown case {c!r}; valid: {', '.join(CASES)}")
    iters = dict(DEFAULT_ITERS)
    spec = args.iters.replace(" ", ",")
    if spec and "=" not in spec:
        iters = {c: int(spec) for c in CASES}
    else:
        for item in filter(None, spec.split(",")):
            name, _, n = item.partition("=")
            if name not in CASES:
                p.error(f"--iters: unknown case {name!r}")
            iters[name] = int(n)
    args.iters = iters
    if args.threads < 1 or args.warmup < 0 or min(iters.values()) < 1:
        p.error("--threads and iteration counts must be ≥ 1, --warmup ≥ 0")
    return args


ARGS = parse_args()
# OpenBLAS (Debian's torch uses the system BLAS) reads its thread count when it is loaded.
os.environ.setdefault("OMP_NUM_THREADS", str(ARGS.threads))
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(ARGS.threads))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


# --- Layers (layers/blocks.go) ---------------------------------------------------------------

def dense(n_in, n_out, glorot_fan_out=None):
    """layers.dense: weights N(0, 0.02²), zero biases; or Glorot uniform with the given fan-out
    (layers.glorotInit: the encoder's two heads share fan-out dn+K, as one layer would)."""
    lin = nn.Linear(n_in, n_out)
    with torch.no_grad():
        if glorot_fan_out is None:
            lin.weight.normal_(0.0, WEIGHT_STD)
        else:
            limit = math.sqrt(6.0 / (n_in + glorot_fan_out))
            lin.weight.uniform_(-limit, limit)
        lin.bias.zero_()
    return lin


def normal_init(module):
    with torch.no_grad():
        module.weight.normal_(0.0, WEIGHT_STD)
        module.bias.zero_()
    return module


class BatchNorm(nn.Module):
    """layers.BatchNorm: batch statistics always (biased variance), ε = 1e-3, learned offset β,
    no scale γ; normalises over every axis but the channel one."""

    def __init__(self, features):
        super().__init__()
        self.beta = nn.Parameter(torch.zeros(features))

    def forward(self, x):
        return F.batch_norm(x, None, None, weight=None, bias=self.beta, training=True, eps=BN_EPS)


def lrelu(x):
    return F.leaky_relu(x, LRELU)


# --- "mlp" architecture (layers/mlp.go) -------------------------------------------------------

def mlp_stack(n_in, hidden, batch_norm):
    """[FC h_i → (BN) → LReLU(0.2)]* with N(0, 0.02) weights, as pairs (FC, BN or identity)."""
    layers = nn.ModuleList()
    for width in hidden:
        layers.append(dense(n_in, width))
        layers.append(BatchNorm(width) if batch_norm else nn.Identity())
        n_in = width
    return layers


def run_stack(layers, x):
    for i in range(0, len(layers), 2):
        x = lrelu(layers[i + 1](layers[i](x)))
    return x


class MLPGenerator(nn.Module):
    def __init__(self, batch_norm):
        super().__init__()
        self.hidden = mlp_stack(NOISE_DIM + NUM_CLUSTERS, MLP_HIDDEN, batch_norm)
        self.out = dense(MLP_HIDDEN[-1], math.prod(IMAGE))

    def forward(self, z):
        return torch.sigmoid(self.out(run_stack(self.hidden, z)))


class MLPCritic(nn.Module):
    def __init__(self, batch_norm):
        super().__init__()
        self.hidden = mlp_stack(math.prod(IMAGE), MLP_HIDDEN, batch_norm)
        self.head = dense(MLP_HIDDEN[-1], 1, glorot_fan_out=1)

    def forward(self, x):
        return self.head(run_stack(self.hidden, x)).view(-1)


class ConvStem(nn.Module):
    """layers mlp_conv_channels: 5×5 stride-2 "SAME" convolutions → (BN) → LReLU(0.2), flattened.
    TensorFlow's "SAME" pads 28→14 and 14→7 with one pixel before and two after."""

    def __init__(self, channels, batch_norm):
        super().__init__()
        self.convs, self.bns = nn.ModuleList(), nn.ModuleList()
        c_in, side = IMAGE[2], IMAGE[0]
        for c in channels:
            self.convs.append(normal_init(nn.Conv2d(c_in, c, 5, stride=2)))
            self.bns.append(BatchNorm(c) if batch_norm else nn.Identity())
            c_in, side = c, (side + 1) // 2
        self.out_features = c_in * side * side

    def forward(self, x):
        x = x.view(-1, IMAGE[2], IMAGE[0], IMAGE[1])
        for conv_, bn in zip(self.convs, self.bns):
            x = lrelu(bn(conv_(F.pad(x, (1, 2, 1, 2)))))
        return x.flatten(1)


class MLPEncoder(nn.Module):
    def __init__(self, batch_norm, conv_channels=(), hidden=MLP_HIDDEN):
        super().__init__()
        self.stem = ConvStem(conv_channels, batch_norm) if conv_channels else None
        n_in = self.stem.out_features if self.stem else math.prod(IMAGE)
        self.hidden = mlp_stack(n_in, hidden, batch_norm)
        fan_out = NOISE_DIM + NUM_CLUSTERS
        self.noise = dense(hidden[-1], NOISE_DIM, glorot_fan_out=fan_out)
        self.logits = dense(hidden[-1], NUM_CLUSTERS, glorot_fan_out=fan_out)

    def forward(self, x):
        h = run_stack(self.hidden, self.stem(x) if self.stem else x)
        return self.noise(h), self.logits(h)


# --- "conv" architecture (layers/convnets.go): 4×4 stride-2 "SAME" convolutions -----------------
# TensorFlow's "SAME" for 28→14 and 14→7 with a 4×4 kernel at stride 2 pads one pixel on each
# side, which is PyTorch's padding=1; the transposed convolutions are those convolutions'
# adjoints (7→14→28), PyTorch's ConvTranspose2d(padding=1). PyTorch runs NCHW where ours is NHWC:
# the reshapes after G's fc2 and before the trunk's fc1 order features differently, a fixed
# permutation of i.i.d.-initialised weights.

def conv(c_in, c_out):
    return normal_init(nn.Conv2d(c_in, c_out, 4, stride=2, padding=1))


def conv_t(c_in, c_out):
    return normal_init(nn.ConvTranspose2d(c_in, c_out, 4, stride=2, padding=1))


class ConvGenerator(nn.Module):
    def __init__(self):
        super().__init__()
        h, w, c = IMAGE
        c1, c2 = CONV_CHANNELS
        self.shape = (c2, h // 4, w // 4)
        self.fc1 = dense(NOISE_DIM + NUM_CLUSTERS, CONV_HIDDEN)
        self.bn1 = BatchNorm(CONV_HIDDEN)
        self.fc2 = dense(CONV_HIDDEN, c2 * h // 4 * w // 4)
        self.bn2 = BatchNorm(c2)
        self.convt1 = conv_t(c2, c1)
        self.bn3 = BatchNorm(c1)
        self.convt2 = conv_t(c1, c)

    def forward(self, z):
        x = F.relu(self.bn1(self.fc1(z)))
        x = self.fc2(x).view(z.shape[0], *self.shape)
        x = F.relu(self.bn2(x))
        x = F.relu(self.bn3(self.convt1(x)))
        return torch.sigmoid(self.convt2(x)).reshape(z.shape[0], -1)


class ConvTrunk(nn.Module):
    def __init__(self):
        super().__init__()
        h, w, c = IMAGE
        c1, c2 = CONV_CHANNELS
        self.conv1 = conv(c, c1)
        self.conv2 = conv(c1, c2)
        self.fc1 = dense(c2 * h // 4 * w // 4, CONV_HIDDEN)

    def forward(self, x):
        h, w, c = IMAGE
        x = x.view(x.shape[0], c, h, w)
        x = lrelu(self.conv1(x))
        x = lrelu(self.conv2(x))
        return lrelu(self.fc1(x.flatten(1)))


class ConvCritic(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = ConvTrunk()
        self.head = dense(CONV_HIDDEN, 1, glorot_fan_out=1)

    def forward(self, x):
        return self.head(self.trunk(x)).view(-1)


class ConvEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = ConvTrunk()
        fan_out = NOISE_DIM + NUM_CLUSTERS
        self.noise = dense(CONV_HIDDEN, NOISE_DIM, glorot_fan_out=fan_out)
        self.logits = dense(CONV_HIDDEN, NUM_CLUSTERS, glorot_fan_out=fan_out)

    def forward(self, x):
        h = self.trunk(x)
        return self.noise(h), self.logits(h)


# --- Prior, losses (priors/mixed.go, losses/) --------------------------------------------------

def sample_prior(batch):
    """priors.Mixed: z = [z_n, e_k], z_n ~ N(0, σ²I_dn), k ~ U{0..K-1}."""
    noise = torch.randn(batch, NOISE_DIM) * SIGMA
    cluster = torch.randint(0, NUM_CLUSTERS, (batch,))
    one_hot = F.one_hot(cluster, NUM_CLUSTERS).to(noise.dtype)
    return torch.cat([noise, one_hot], 1), noise, cluster


def critic_loss(loss, critic, real, fake):
    if loss == "vanilla":  # losses.Vanilla
        return F.softplus(-critic(real)).mean() + F.softplus(critic(fake)).mean()
    # losses.WGANGP: mean D(fake) − mean D(real) + λ·mean((‖∇D(x̂)‖ − 1)²), one ε per batch.
    wass = critic(fake).mean() - critic(real).mean()
    eps = torch.rand(())
    x_hat = (fake + eps * (real - fake)).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    norm = torch.sqrt(grad.square().sum(1) + GRAD_NORM_EPS)
    return wass + GP_LAMBDA * (norm - 1).square().mean()


def random_warp(x):
    """layers.RandomAffine: each image gets its own shift (dy, dx) ~ U{−s..s}², rotation
    ~ U(±MI_ROTATION°) and scale ~ U(1 ± MI_SCALE) about its centre, nearest-pixel sampling,
    zero fill, as one gather (the Go graph's Gather + mask)."""
    b, (h, w, _) = x.shape[0], IMAGE
    theta = (torch.rand(b) - 0.5) * (2 * MI_ROTATION * math.pi / 180)
    inv_scale = 1 / (1 + (torch.rand(b) - 0.5) * (2 * MI_SCALE))
    off = torch.randint(-MI_SHIFT, MI_SHIFT + 1, (b, 2)).float()
    cy, cx = (h - 1) / 2, (w - 1) / 2
    v = (torch.arange(h, dtype=torch.float32) - cy).view(1, h, 1)
    u = (torch.arange(w, dtype=torch.float32) - cx).view(1, 1, w)
    cos, sin = (torch.cos(theta) * inv_scale).view(b, 1, 1), (torch.sin(theta) * inv_scale).view(b, 1, 1)
    rows = torch.round(cos * v + sin * u - off[:, 0].view(b, 1, 1) + cy).long()
    cols = torch.round(cos * u - sin * v - off[:, 1].view(b, 1, 1) + cx).long()
    inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    src = rows.clamp(0, h - 1) * w + cols.clamp(0, w - 1)
    return torch.where(inside, torch.gather(x, 1, src.view(b, -1)).view(b, h, w), torch.zeros(())).view(b, -1)


def info_max_loss(logits, aug_logits):
    """losses.InfoMaxLoss: CE(p, q) with p held constant + λ·(H(Y|X) − η·H(Y))."""
    log_p = F.log_softmax(logits, 1)
    p = log_p.exp()
    consistency = -(p.detach() * F.log_softmax(aug_logits, 1)).sum(1).mean()
    cond = -(p * log_p).sum(1).mean()
    marg = p.mean(0)
    return consistency + MI_LAMBDA * (cond + MI_ETA * (marg * torch.log(marg + 1e-12)).sum())


def generator_loss(loss, fake_scores):
    if loss == "vanilla":
        return F.softplus(-fake_scores).mean()
    return -fake_scores.mean()


# --- One iteration (trainer/trainer.go) ---------------------------------------------------------

class Bench:
    def __init__(self, case):
        cfg = CASES[case]
        self.loss, self.n_critic = cfg["loss"], cfg["n_critic"]
        self.beta_x = cfg.get("beta_x", BETA_X)
        self.beta_mi = cfg.get("beta_mi", BETA_MI)
        if cfg["arch"] == "mlp":
            bn = cfg["batch_norm"]  # mlp_batch_norm applies to all three networks
            self.G, self.D = MLPGenerator(bn), MLPCritic(bn)
            self.E = MLPEncoder(bn, cfg.get("enc_conv", ()), cfg.get("enc_hidden", MLP_HIDDEN))
        else:
            self.G, self.D, self.E = ConvGenerator(), ConvCritic(), ConvEncoder()
        # trainer.tinyData(1000, 784): x[i] = ((i·7919) mod 101) / 100.
        i = torch.arange(DATA_ROWS * math.prod(IMAGE), dtype=torch.int64)
        self.train_x = ((i * 7919) % 101).to(torch.float32).div_(100).view(DATA_ROWS, -1)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=LR, betas=BETAS, eps=ADAM_EPS)
        self.opt_g = torch.optim.Adam(list(self.G.parameters()) + list(self.E.parameters()),
                                      lr=LR, betas=BETAS, eps=ADAM_EPS)

    def real_batch(self):
        return self.train_x[torch.randint(0, DATA_ROWS, (BATCH,))]

    def critic_step(self):
        real = self.real_batch()
        z, _, _ = sample_prior(BATCH)
        with torch.no_grad():  # StopGradient(G(z)): the critic step does not move G
            fake = self.G(z)
        loss = critic_loss(self.loss, self.D, real, fake)
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        return loss.detach()

    def generator_step(self):
        z, noise, cluster = sample_prior(BATCH)
        for p in self.D.parameters():  # D frozen: no gradients for its weights (updateOnly)
            p.requires_grad_(False)
        fake = self.G(z)
        adv = generator_loss(self.loss, self.D(fake))
        noise_hat, logits = self.E(fake)
        noise_loss = F.mse_loss(noise_hat, noise)  # mean over all elements
        ce = F.cross_entropy(logits, cluster)  # mean over the batch of −Σ one-hot · log softmax
        latent = BETA_N * noise_loss + BETA_C * ce
        if self.beta_x > 0 or self.beta_mi > 0:
            # trainer.realDataLoss: one real batch x and E(x) for both real-data terms.
            real = self.real_batch()
            noise_real, logits_real = self.E(real)
        if self.beta_x > 0:
            # x → E → z = (ẑ_n, softmax(logits)) → G; the softmax stands in for the prior's
            # one-hot so the term is differentiable.
            x_hat = self.G(torch.cat([noise_real, F.softmax(logits_real, 1)], 1))
            latent = latent + self.beta_x * F.mse_loss(x_hat, real)  # mean over all elements
        if self.beta_mi > 0:
            _, logits_aug = self.E(random_warp(real))
            latent = latent + self.beta_mi * info_max_loss(logits_real, logits_aug)
        self.opt_g.zero_grad(set_to_none=True)
        (adv + latent).backward()
        self.opt_g.step()
        for p in self.D.parameters():
            p.requires_grad_(True)
        return [adv.detach(), latent.detach(), noise_loss.detach(), ce.detach()]

    def iteration(self):
        for _ in range(self.n_critic):
            d_loss = self.critic_step()
        return torch.stack([d_loss] + self.generator_step()).double().tolist()  # to the host


def main():
    torch.set_num_threads(ARGS.threads)
    torch.manual_seed(ARGS.seed)
    print(f"# torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}, "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}, python {sys.version.split()[0]}",
          flush=True)
    for case in ARGS.cases:
        bench = Bench(case)
        for _ in range(ARGS.warmup):
            bench.iteration()
        n = ARGS.iters[case]
        times = []
        start = time.perf_counter()
        for _ in range(n):
            t0 = time.perf_counter()
            losses = bench.iteration()
            times.append(time.perf_counter() - t0)
        total = time.perf_counter() - start
        if not all(math.isfinite(v) for v in losses):
            sys.exit(f"{case}: non-finite losses {losses}")
        print(f"RESULT case={case} ms_per_iter={1e3 * total / n:.3f} median_ms={1e3 * statistics.median(times):.3f} "
              f"iters={n} warmup={ARGS.warmup} threads={torch.get_num_threads()} torch={torch.__version__}", flush=True)


if __name__ == "__main__":
    main()
