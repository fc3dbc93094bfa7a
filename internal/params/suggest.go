package params

// Distance is the optimal-string-alignment edit distance between a and b: the fewest
// insertions, deletions, substitutions and swaps of two adjacent characters (each counting
// 1, no substring edited twice) that turn a into b, counted in runes. A swap is the usual
// typing slip: Distance("train_stesp", "train_steps") is 1.
func Distance(a, b string) int {
	s, t := []rune(a), []rune(b)
	// d[i][j] is the distance between s[:i] and t[:j].
	d := make([][]int, len(s)+1)
	for i := range d {
		d[i] = make([]int, len(t)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(s); i++ {
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(s)][len(t)]
}

// Suggest returns the candidate closest to name by Distance when it is close: at most a
// quarter of name's length (at least 1, at most 3) edits away, and fewer edits than name has
// characters. Ties go to the earlier candidate.
func Suggest(name string, candidates []string) (string, bool) {
	n := len([]rune(name))
	limit := min(3, max(1, n/4))
	best, bestD := "", limit+1
	for _, c := range candidates {
		if c == name {
			continue
		}
		if d := Distance(name, c); d < bestD && d < n {
			best, bestD = c, d
		}
	}
	return best, best != ""
}
