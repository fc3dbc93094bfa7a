package tsne

import (
	"math"
	"testing"
)

// sklearnP is scikit-learn 1.2.1's sklearn.manifold._t_sne._joint_probabilities at perplexity 3
// on referenceData (squared Euclidean distances, float64), in scipy's condensed order (row-major
// upper triangle).
var sklearnP = []float64{
	3.10362488e-03, 8.17246074e-05, 5.18259784e-05, 5.67194194e-03, 3.57541614e-02, 9.35702405e-05,
	4.59626199e-05, 1.36045963e-05, 2.11090572e-02, 9.23715549e-04, 3.37360663e-05, 6.95720978e-04,
	1.50450955e-05, 8.81864651e-05, 2.75405230e-02, 3.46002052e-02, 6.38324577e-04, 5.77794153e-06,
	8.16682893e-04, 3.16960625e-02, 7.24783839e-03, 6.37679817e-03, 1.60987244e-03, 9.66989176e-05,
	7.14716372e-04, 5.85568618e-02, 1.12327657e-02, 3.03209867e-03, 3.91813722e-05, 9.67302490e-04,
	9.26261262e-03, 9.38905086e-06, 5.52285827e-06, 4.69398979e-03, 5.47230498e-02, 1.93290093e-03,
	8.03732527e-07, 1.58863123e-06, 3.09541652e-04, 6.07638784e-06, 5.86466662e-04, 7.94943104e-03,
	5.43406085e-02, 6.34936002e-06, 1.49344053e-06, 6.67608735e-04, 9.01357599e-05, 2.66468722e-06,
	2.67229215e-03, 2.59605053e-02, 8.40425986e-04, 1.07404123e-03, 2.35761715e-06, 6.73908289e-05,
	1.64593338e-02, 4.42099157e-02, 9.45203613e-03, 1.46231869e-03, 6.93986315e-05, 1.76070731e-03,
	2.13422136e-03, 1.90495894e-07, 1.99049541e-06, 9.03497015e-05, 7.46923888e-05, 6.22401053e-03,
}

// referenceData is 12 points in 3-D: x[i][d] = sin(1.3i + 0.7d) + 0.1i·[d = 0], rounded to float32.
func referenceData() []float32 {
	const n, dim = 12, 3
	x := make([]float32, 0, n*dim)
	for i := range n {
		for d := range dim {
			v := math.Sin(1.3*float64(i) + 0.7*float64(d))
			if d == 0 {
				v += 0.1 * float64(i)
			}
			x = append(x, float32(v))
		}
	}
	return x
}

// TestPMatchesScikitLearn compares P with scikit-learn's. scikit-learn stops its bandwidth search
// at an entropy error of 1e-5 (ours at 1e-10), so agreement is to about 1e-4 relative, a little
// looser in absolute terms for the tiny far entries, which are the most sensitive to β.
func TestPMatchesScikitLearn(t *testing.T) {
	const n = 12
	p := exactP(referenceData(), 3, 3, 2)
	k := 0
	var worst float64
	for i := range n {
		for j := i + 1; j < n; j++ {
			want := sklearnP[k]
			k++
			rel := math.Abs(p[i*n+j]-want) / want
			worst = math.Max(worst, rel)
			if math.Abs(p[i*n+j]-want) > 1e-4*want+1e-10 {
				t.Errorf("P[%d][%d] = %.8e, scikit-learn %.8e", i, j, p[i*n+j], want)
			}
		}
	}
	t.Logf("largest relative difference %.2g", worst)
}
