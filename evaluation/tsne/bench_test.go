package tsne

import "testing"

// BenchmarkEmbed embeds 2000 points in 40-D (ten blobs, about the size of a latent map) with the
// default settings, exactly and with Barnes–Hut.
func BenchmarkEmbed(b *testing.B) {
	const dim = 40
	x, _ := blobs(10, 200, dim, 6, 9)
	for _, tc := range []struct {
		name  string
		theta float64
	}{{"exact", 0}, {"barnes-hut", DefaultTheta}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Embed(x, dim, Config{Seed: 1, Theta: tc.theta}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
