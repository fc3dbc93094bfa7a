package objectives

import (
	"fmt"
	"testing"

	"github.com/clustergan/clustergan/internal/params"
	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/losses"
	"github.com/clustergan/clustergan/priors"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/stretchr/testify/require"
)

// testCtx is a context with the given parameters (nothing else set: every objective must fall
// back to the defaults of the packages that own its parameters).
func testCtx(params map[string]any) *context.Context {
	ctx := context.New()
	ctx.SetParams(params)
	return ctx
}

// testNets are the nets of an MLP with the given prior, for data of the given shape (nil: not
// known yet, as when settings are validated before the data are loaded).
func testNets(t *testing.T, prior priors.Prior, dataShape []int) *Nets {
	t.Helper()
	arch, err := layers.Get("mlp")
	require.NoError(t, err)
	adv, err := losses.Get("vanilla")
	require.NoError(t, err)
	return &Nets{Prior: prior, Arch: arch, Adversarial: adv, Spec: layers.Spec{
		DataShape: dataShape, LatentDim: prior.Dim(), NoiseDim: prior.NoiseDim(), NumClusters: prior.NumClusters()}}
}

var (
	mixed    = priors.Mixed{NoiseSize: 4, Clusters: 3, Sigma: 0.1}
	gaussian = priors.Gaussian{Size: 7, Sigma: 1}
	gmm      = priors.NewGMM(7, 3, 0.1, 1)
)

// phaseView is what a Phase says, without the loss functions: terms as "name×weight".
type phaseView struct {
	Name          string
	Updates       []string
	Optimizer     string
	Repeat        int
	CriticHasCode bool
	Terms         []string
}

func view(phases []Phase) []phaseView {
	var out []phaseView
	for _, p := range phases {
		v := phaseView{Name: p.Name, Updates: p.Updates, Optimizer: p.Optimizer, Repeat: p.Repeat, CriticHasCode: p.CriticHasCode}
		for _, t := range p.Terms {
			v.Terms = append(v.Terms, fmt.Sprintf("%s×%g", t.Name, t.Weight))
		}
		out = append(out, v)
	}
	return out
}

// phasesOf builds obj's phases and checks that they pass Validate.
func phasesOf(t *testing.T, obj Objective, ctx *context.Context, nets *Nets, nCritic int) []Phase {
	t.Helper()
	phases, err := obj.Phases(ctx, nets, nCritic)
	require.NoError(t, err)
	require.NoError(t, Validate(phases))
	return phases
}

func TestRegistry(t *testing.T) {
	for _, name := range []string{"clustergan", "gan", "imsat", "infogan"} {
		require.Contains(t, Names(), name)
		_, err := Get(name)
		require.NoError(t, err, name)
	}
	for name, want := range map[string]Objective{"clustergan": ClusterGAN{}, "gan": GAN{}, "imsat": IMSAT{}, "infogan": InfoGAN{}} {
		got, _ := Get(name)
		require.Equal(t, want, got)
	}
	_, err := Get("wgan")
	require.ErrorContains(t, err, `unknown objective "wgan"; valid values: `)
	for _, name := range Names() {
		require.ErrorContains(t, err, name)
	}
	require.PanicsWithValue(t, `registry: objective "gan" registered twice`, func() { Register("gan", GAN{}) })
	require.Panics(t, func() { Register("", GAN{}) })
}

func TestClusterGANPhases(t *testing.T) {
	critic := phaseView{Name: "critic", Updates: []string{Critic}, Optimizer: CriticOptimizer, Repeat: 5, Terms: []string{"adversarial×1"}}
	gen := func(terms ...string) phaseView {
		return phaseView{Name: "generator", Updates: []string{Generator, Encoder}, Optimizer: GeneratorOptimizer,
			Terms: append([]string{"adversarial×1"}, terms...)}
	}
	for _, tc := range []struct {
		name   string
		params map[string]any
		want   []string // generator terms after the adversarial one
		recipe string
	}{
		// The paper's objective with its defaults β_n = β_c = 10.
		{"paper", nil, []string{"noise×10", "cluster×10"}, "ClusterGAN"},
		{"weights", map[string]any{losses.ParamBetaN: 2.5, losses.ParamBetaC: 0.5}, []string{"noise×2.5", "cluster×0.5"}, "ClusterGAN"},
		// A weight of 0 leaves its term out.
		{"beta_n=0", map[string]any{losses.ParamBetaN: 0.0}, []string{"cluster×10"}, "ClusterGAN"},
		{"beta_c=0", map[string]any{losses.ParamBetaC: 0.0}, []string{"noise×10"}, "ClusterGAN"},
		// The real-data terms come after the paper's, in rank order (reconstruction, infomax),
		// whatever order they are set in.
		{"beta_x", map[string]any{losses.ParamBetaX: 2.0}, []string{"noise×10", "cluster×10", "reconstruction×2"}, "ClusterGAN + β_x"},
		{"beta_mi", map[string]any{losses.ParamBetaMI: 0.5}, []string{"noise×10", "cluster×10", "infomax×0.5"}, "ClusterGAN + β_mi"},
		{"beta_x+beta_mi", map[string]any{losses.ParamBetaMI: 0.5, losses.ParamBetaX: 2.0},
			[]string{"noise×10", "cluster×10", "reconstruction×2", "infomax×0.5"}, "ClusterGAN + β_x + β_mi"},
		// A real-data term alone is enough for the encoder to learn from.
		{"real data only", map[string]any{losses.ParamBetaN: 0.0, losses.ParamBetaC: 0.0, losses.ParamBetaX: 1.0},
			[]string{"reconstruction×1"}, "ClusterGAN + β_x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(tc.params)
			phases := phasesOf(t, ClusterGAN{}, ctx, testNets(t, mixed, nil), 5)
			require.Equal(t, []phaseView{critic, gen(tc.want...)}, view(phases))
			require.Equal(t, tc.recipe, ClusterGAN{}.Recipe(ctx))
			names := []string{"critic/adversarial", "critic/total", "generator/adversarial"}
			for _, term := range phases[1].Terms[1:] {
				names = append(names, "generator/"+term.Name)
			}
			require.Equal(t, append(names, "generator/total"), TermNames(phases))
		})
	}
	t.Run("n_critic", func(t *testing.T) {
		phases := phasesOf(t, ClusterGAN{}, testCtx(nil), testNets(t, mixed, nil), 1)
		require.Equal(t, 1, phases[0].Repeat)
		require.Equal(t, 0, phases[1].Repeat, "the generator update runs once")
	})
	require.Equal(t, []string{losses.ParamBetaN, losses.ParamBetaC, losses.ParamBetaX, losses.ParamBetaMI}, ClusterGAN{}.Params())
}

func TestClusterGANErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params map[string]any
		prior  priors.Prior
		shape  []int
		want   string
	}{
		{"no loss for E", map[string]any{losses.ParamBetaN: 0.0, losses.ParamBetaC: 0.0}, mixed, nil,
			`parameters "beta_n" and "beta_c" are both 0 and no real-data term ([beta_x beta_mi]) is on: the encoder would have no loss to learn from`},
		{"negative beta_n", map[string]any{losses.ParamBetaN: -1.0}, mixed, nil, `parameter "beta_n": must be ≥ 0, got -1`},
		{"negative beta_c", map[string]any{losses.ParamBetaC: -0.5}, mixed, nil, `parameter "beta_c": must be ≥ 0, got -0.5`},
		{"both negative", map[string]any{losses.ParamBetaN: -1.0, losses.ParamBetaC: -2.0}, mixed, nil, `parameter "beta_n": must be ≥ 0, got -1`},
		{"negative beta_x", map[string]any{losses.ParamBetaX: -2.0}, mixed, nil, `parameter "beta_x": must be ≥ 0, got -2`},
		{"negative beta_mi", map[string]any{losses.ParamBetaMI: -1.0}, mixed, nil, `parameter "beta_mi": must be ≥ 0, got -1`},
		// The gaussian prior has no cluster code for β_c's term to recover.
		{"beta_c without clusters", nil, gaussian, nil,
			`parameter "beta_c" = 10 but the prior has no cluster code z_c; set it to 0`},
		// β_x feeds E(x) back into G, so z must be (z_n, z_c): no other prior has a split.
		{"beta_x with gaussian", map[string]any{losses.ParamBetaC: 0.0, losses.ParamBetaX: 1.0}, gaussian, nil,
			`parameter "beta_x" > 0 needs a prior whose z is (z_n, z_c) (prior "mixed"); this one has z of 7 = 7 noise + 0 clusters`},
		{"beta_x with gmm", map[string]any{losses.ParamBetaX: 1.0}, gmm, nil,
			`parameter "beta_x" > 0 needs a prior whose z is (z_n, z_c) (prior "mixed"); this one has z of 7 = 7 noise + 3 clusters`},
		// The default warp shifts images; vector data cannot be shifted.
		{"beta_mi warps vectors", map[string]any{losses.ParamBetaMI: 1.0}, mixed, []int{8},
			`parameters mi_shift, mi_rotation, mi_scale = 3, 0, 0 warp images, but the data's examples have shape [8]; set them to 0 for vector data`},
		{"beta_mi views without warp", map[string]any{losses.ParamBetaMI: 1.0, losses.ParamMIShift: 0, losses.ParamMIViews: 3}, mixed, []int{8},
			`parameter "mi_views" = 3 needs a warp (mi_shift, mi_rotation or mi_scale > 0): without one the views are identical`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ClusterGAN{}.Phases(testCtx(tc.params), testNets(t, tc.prior, tc.shape), 5)
			require.EqualError(t, err, tc.want)
		})
	}
	// A weight of 0 is not checked against the prior: β_x = 0 with the gmm prior is fine.
	phases := phasesOf(t, ClusterGAN{}, testCtx(nil), testNets(t, gmm, nil), 5)
	require.Equal(t, []string{"critic/adversarial", "critic/total", "generator/adversarial", "generator/noise", "generator/cluster", "generator/total"},
		TermNames(phases))
	// Image data may be warped.
	phasesOf(t, ClusterGAN{}, testCtx(map[string]any{losses.ParamBetaMI: 1.0}), testNets(t, mixed, []int{4, 2, 1}), 5)
}

func TestGANPhases(t *testing.T) {
	// The real-data weights are not the GAN's: it has no encoder and reads none of them.
	ctx := testCtx(map[string]any{priors.ParamPrior: "gaussian", losses.ParamBetaX: 1.0, losses.ParamBetaMI: 1.0})
	phases := phasesOf(t, GAN{}, ctx, testNets(t, gaussian, []int{8}), 3)
	require.Equal(t, []phaseView{
		{Name: "critic", Updates: []string{Critic}, Optimizer: CriticOptimizer, Repeat: 3, Terms: []string{"adversarial×1"}},
		{Name: "generator", Updates: []string{Generator}, Optimizer: GeneratorOptimizer, Terms: []string{"adversarial×1"}},
	}, view(phases))
	require.Equal(t, []string{"critic/adversarial", "critic/total", "generator/adversarial", "generator/total"}, TermNames(phases))
	require.False(t, phases[1].UpdatesPlayer(Encoder))
	require.Equal(t, "GAN (gaussian prior)", GAN{}.Recipe(ctx))
	require.Equal(t, "GAN (gmm prior)", GAN{}.Recipe(testCtx(map[string]any{priors.ParamPrior: "gmm"})))
	require.Equal(t, "GAN (mixed prior)", GAN{}.Recipe(testCtx(nil)), "the default prior")
	require.Empty(t, GAN{}.Params())
}

// noQHead is an architecture without InfoGAN's Q head (the struct has only Architecture's
// methods, not those of the mlp it wraps).
type noQHead struct{ layers.Architecture }

func TestInfoGANPhases(t *testing.T) {
	ctx := testCtx(map[string]any{ParamInfoLambda: 0.7})
	phases := phasesOf(t, InfoGAN{}, ctx, testNets(t, mixed, []int{8}), 2)
	// Q is part of the critic: the critic update trains D and Q on λ·CE, the generator update
	// G alone on the same term; both read D's scores from the pass that gives Q's code.
	require.Equal(t, []phaseView{
		{Name: "critic", Updates: []string{Critic}, Optimizer: CriticOptimizer, Repeat: 2, CriticHasCode: true,
			Terms: []string{"adversarial×1", "info×0.7"}},
		{Name: "generator", Updates: []string{Generator}, Optimizer: GeneratorOptimizer, CriticHasCode: true,
			Terms: []string{"adversarial×1", "info×0.7"}},
	}, view(phases))
	require.Equal(t, []string{"critic/adversarial", "critic/info", "critic/total", "generator/adversarial", "generator/info", "generator/total"},
		TermNames(phases))
	require.Equal(t, "InfoGAN", InfoGAN{}.Recipe(ctx))
	require.Equal(t, []string{ParamInfoLambda}, InfoGAN{}.Params())

	// The default λ = 1; λ = 0 leaves the term out.
	phases = phasesOf(t, InfoGAN{}, testCtx(nil), testNets(t, mixed, nil), 2)
	require.Equal(t, "info×1", view(phases)[1].Terms[1])
	phases = phasesOf(t, InfoGAN{}, testCtx(map[string]any{ParamInfoLambda: 0.0}), testNets(t, mixed, nil), 2)
	require.Equal(t, []string{"critic/adversarial", "critic/total", "generator/adversarial", "generator/total"}, TermNames(phases))

	t.Run("errors", func(t *testing.T) {
		_, err := InfoGAN{}.Phases(testCtx(map[string]any{ParamInfoLambda: -1.0}), testNets(t, mixed, nil), 2)
		require.EqualError(t, err, `parameter "info_lambda": must be ≥ 0, got -1`)
		nets := testNets(t, mixed, nil)
		nets.Arch = noQHead{nets.Arch}
		_, err = InfoGAN{}.Phases(testCtx(nil), nets, 2)
		require.EqualError(t, err, `parameter "architecture": architecture objectives.noQHead has no InfoGAN Q head`)
		_, err = InfoGAN{}.Phases(testCtx(nil), testNets(t, gaussian, nil), 2)
		require.EqualError(t, err, `InfoGAN needs a prior with a categorical code (parameter "prior")`)
	})
}

func TestIMSATPhases(t *testing.T) {
	// β_mi only weighs the term against a GAN's terms: IMSAT's lone term has weight 1.
	ctx := testCtx(map[string]any{losses.ParamMIShift: 0, losses.ParamBetaMI: 0.25, losses.ParamBetaX: 1.0})
	phases := phasesOf(t, IMSAT{}, ctx, testNets(t, mixed, []int{8}), 5)
	require.Equal(t, []phaseView{
		{Name: "encoder", Updates: []string{Encoder}, Optimizer: GeneratorOptimizer, Terms: []string{"infomax×1"}},
	}, view(phases))
	require.Equal(t, []string{"encoder/infomax", "encoder/total"}, TermNames(phases))
	require.Equal(t, "IMSAT", IMSAT{}.Recipe(ctx))
	require.Empty(t, IMSAT{}.Params())
	// The gmm prior has components for E's logits.
	phasesOf(t, IMSAT{}, testCtx(nil), testNets(t, gmm, []int{4, 4, 1}), 5)

	t.Run("errors", func(t *testing.T) {
		_, err := IMSAT{}.Phases(testCtx(nil), testNets(t, gaussian, nil), 5)
		require.EqualError(t, err, `the information-maximisation term (IMSAT, or parameter "beta_mi" > 0) needs an encoder with cluster logits: `+
			`parameter "prior" must name a prior with clusters`)
		_, err = IMSAT{}.Phases(testCtx(nil), testNets(t, mixed, []int{8}), 5)
		require.ErrorContains(t, err, "set them to 0 for vector data")
		_, err = IMSAT{}.Phases(testCtx(map[string]any{losses.ParamMIShift: 0, losses.ParamMIViews: 2}), testNets(t, mixed, []int{8}), 5)
		require.ErrorContains(t, err, `parameter "mi_views" = 2 needs a warp`)
	})
}

func TestTermNames(t *testing.T) {
	loss := func(*Batch) *graph.Node { return nil }
	phases := []Phase{
		{Name: "a", Terms: []Term{{Name: "x", Loss: loss}, {Name: "y", Loss: loss}}},
		{Name: "b", Terms: []Term{{Name: "x", Loss: loss}}},
	}
	require.Equal(t, []string{"a/x", "a/y", "a/total", "b/x", "b/total"}, TermNames(phases))
	require.Empty(t, TermNames(nil))
}

func TestValidate(t *testing.T) {
	loss := func(*Batch) *graph.Node { return nil }
	good := func() Phase {
		return Phase{Name: "p", Updates: []string{Critic}, Optimizer: CriticOptimizer, Terms: []Term{{Name: "t", Weight: 1, Loss: loss}}}
	}
	require.NoError(t, Validate([]Phase{good()}))
	for _, tc := range []struct {
		name string
		edit func([]Phase) []Phase
		want string
	}{
		{"no phase", func([]Phase) []Phase { return nil }, "objective has no phase"},
		{"empty name", func(p []Phase) []Phase { p[0].Name = ""; return p }, `phase name "" is empty, has a '/' or repeats`},
		{"slash in name", func(p []Phase) []Phase { p[0].Name = "a/b"; return p }, `phase name "a/b" is empty, has a '/' or repeats`},
		{"repeated name", func(p []Phase) []Phase { return append(p, good()) }, `phase name "p" is empty, has a '/' or repeats`},
		{"no term", func(p []Phase) []Phase { p[0].Terms = nil; return p }, `phase "p" has no loss term`},
		{"no player", func(p []Phase) []Phase { p[0].Updates = nil; return p }, `phase "p" updates no player`},
		{"bad optimiser", func(p []Phase) []Phase { p[0].Optimizer = "sgd"; return p },
			`phase "p": optimizer "sgd" is neither "critic" nor "generator"`},
		{"empty term name", func(p []Phase) []Phase { p[0].Terms[0].Name = ""; return p },
			`phase "p": term name "" is empty, reserved, has a '/' or repeats`},
		{"reserved term name", func(p []Phase) []Phase { p[0].Terms[0].Name = "total"; return p },
			`phase "p": term name "total" is empty, reserved, has a '/' or repeats`},
		{"slash in term name", func(p []Phase) []Phase { p[0].Terms[0].Name = "a/b"; return p },
			`phase "p": term name "a/b" is empty, reserved, has a '/' or repeats`},
		{"repeated term", func(p []Phase) []Phase { p[0].Terms = append(p[0].Terms, p[0].Terms[0]); return p },
			`phase "p": term name "t" is empty, reserved, has a '/' or repeats`},
		{"no loss", func(p []Phase) []Phase { p[0].Terms[0].Loss = nil; return p }, `phase "p": term "t" has no loss`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.EqualError(t, Validate(tc.edit([]Phase{good()})), tc.want)
		})
	}
}

func TestUpdatesPlayer(t *testing.T) {
	p := Phase{Updates: []string{Generator, Encoder}}
	require.True(t, p.UpdatesPlayer(Generator))
	require.True(t, p.UpdatesPlayer(Encoder))
	require.False(t, p.UpdatesPlayer(Critic))
	require.Equal(t, []string{"/generator", "/critic", "/encoder"}, []string{Generator, Critic, Encoder})
}

// The weights of the encoder terms the tests register, declared as the file of a new term
// would declare them.
var _ = params.Declare("objectives tests", params.Table{
	{Name: "beta_late", Default: 0.0, Range: params.AtLeast(0), Doc: "a test term's weight"},
	{Name: "beta_middle", Default: 0.0, Range: params.AtLeast(0), Doc: "a test term's weight"},
	{Name: "beta_first", Default: 0.0, Range: params.AtLeast(0), Doc: "a test term's weight"},
	{Name: "beta_picky", Default: 0.0, Range: params.AtLeast(0), Doc: "a test term's weight"},
	{Name: "beta_unbounded", Default: 0.0, Doc: "a weight that may be negative"},
})

// withEncoderTerms runs f with the registry of encoder terms restored afterwards, so a test
// may register terms of its own.
func withEncoderTerms(t *testing.T, f func()) {
	saved := append([]EncoderTerm(nil), encoderTerms...)
	defer func() { encoderTerms = saved }()
	f()
}

func TestEncoderTerms(t *testing.T) {
	terms := EncoderTerms()
	require.Len(t, terms, 2)
	require.Equal(t, []string{"reconstruction", losses.ParamBetaX, "β_x"}, []string{terms[0].Name, terms[0].Param, terms[0].Symbol})
	require.Equal(t, []string{"infomax", losses.ParamBetaMI, "β_mi"}, []string{terms[1].Name, terms[1].Param, terms[1].Symbol})
	require.True(t, terms[0].NeedsGenerator, "reconstruction runs G on E(x)")
	require.False(t, terms[1].NeedsGenerator, "infomax needs E only")
	require.Less(t, terms[0].Rank, terms[1].Rank)
	require.Equal(t, []string{losses.ParamBetaX, losses.ParamBetaMI}, encoderTermParams(true))
	require.Equal(t, []string{losses.ParamBetaMI}, encoderTermParams(false), "without a generator only E's terms")

	// EncoderTerms is a copy.
	terms[0].Name = "changed"
	require.Equal(t, "reconstruction", EncoderTerms()[0].Name)

	loss := func(*Batch) *graph.Node { return nil }
	withEncoderTerms(t, func() {
		// Registered out of order, a term takes its place by rank: between β_x (10) and β_mi (20),
		// and after every term of its rank.
		RegisterEncoderTerm(EncoderTerm{Name: "late", Param: "beta_late", Symbol: "β_late", Rank: 20, Loss: loss})
		RegisterEncoderTerm(EncoderTerm{Name: "middle", Param: "beta_middle", Symbol: "β_m", Rank: 15, Loss: loss})
		RegisterEncoderTerm(EncoderTerm{Name: "first", Param: "beta_first", Symbol: "β_f", Rank: 1, Loss: loss})
		var names []string
		for _, term := range EncoderTerms() {
			names = append(names, term.Name)
		}
		require.Equal(t, []string{"first", "reconstruction", "middle", "infomax", "late"}, names)

		// The objectives pick them up: ClusterGAN's phases, params and recipe follow rank order.
		ctx := testCtx(map[string]any{"beta_late": 3.0, "beta_first": 2.0, losses.ParamBetaX: 1.0})
		phases := phasesOf(t, ClusterGAN{}, ctx, testNets(t, mixed, nil), 5)
		require.Equal(t, []string{"adversarial×1", "noise×10", "cluster×10", "first×2", "reconstruction×1", "late×3"}, view(phases)[1].Terms)
		require.Equal(t, "ClusterGAN + β_f + β_x + β_late", ClusterGAN{}.Recipe(ctx))
		require.Equal(t, []string{losses.ParamBetaN, losses.ParamBetaC, "beta_first", losses.ParamBetaX, "beta_middle", losses.ParamBetaMI, "beta_late"},
			ClusterGAN{}.Params())

		for _, bad := range []EncoderTerm{
			{Name: "reconstruction", Param: "beta_other", Loss: loss}, // a taken name
			{Name: "other", Param: losses.ParamBetaMI, Loss: loss},    // a taken parameter
		} {
			require.PanicsWithValue(t, fmt.Sprintf("objectives: encoder term %q (parameter %q) registered twice", bad.Name, bad.Param),
				func() { RegisterEncoderTerm(bad) })
		}
		for _, bad := range []EncoderTerm{{Param: "p", Loss: loss}, {Name: "n", Loss: loss}, {Name: "n", Param: "p"}} {
			require.PanicsWithValue(t, "objectives: RegisterEncoderTerm needs a name, a weight parameter and a loss",
				func() { RegisterEncoderTerm(bad) })
		}
		// The weight is a declared float64 parameter that cannot be negative.
		for _, weight := range []string{"beta_undeclared", "beta_unbounded", losses.ParamMIViews} {
			require.PanicsWithValue(t, fmt.Sprintf("objectives: encoder term \"w\": its weight parameter %q must be declared (params.Declare) as a float64 whose range excludes negative values", weight),
				func() { RegisterEncoderTerm(EncoderTerm{Name: "w", Param: weight, Loss: loss}) })
		}
	})
	require.Len(t, EncoderTerms(), 2, "the registry is restored")

	t.Run("check", func(t *testing.T) {
		withEncoderTerms(t, func() {
			RegisterEncoderTerm(EncoderTerm{Name: "picky", Param: "beta_picky", Loss: loss,
				Check: func(*context.Context, *Nets) error {
					return fmt.Errorf("parameter %q: not with this prior", "beta_picky")
				}})
			// Only a term that is on is checked.
			phasesOf(t, ClusterGAN{}, testCtx(nil), testNets(t, mixed, nil), 5)
			_, err := ClusterGAN{}.Phases(testCtx(map[string]any{"beta_picky": 1.0}), testNets(t, mixed, nil), 5)
			require.EqualError(t, err, `parameter "beta_picky": not with this prior`)
		})
	})
	t.Run("generator terms need a generator", func(t *testing.T) {
		// An objective without a generator skips the terms that run G, whatever their weight.
		ctx := testCtx(map[string]any{losses.ParamBetaX: 1.0, losses.ParamBetaMI: 1.0, losses.ParamMIShift: 0})
		terms, err := activeEncoderTerms(ctx, testNets(t, mixed, []int{8}), false)
		require.NoError(t, err)
		require.Len(t, terms, 1)
		require.Equal(t, "infomax", terms[0].Name)
		require.Equal(t, 1.0, terms[0].Weight)
		terms, err = activeEncoderTerms(ctx, testNets(t, mixed, []int{8}), true)
		require.NoError(t, err)
		require.Len(t, terms, 2)
	})
}
