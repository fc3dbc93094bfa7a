package params

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrUnsupported is returned by Parse for a parameter type it cannot read.
var ErrUnsupported = errors.New("unsupported parameter type")

func errorsIsUnsupported(err error) bool { return errors.Is(err, ErrUnsupported) }

// Parse reads text as a value of like's type, as GoMLX's -set parser does: numbers and
// booleans in JSON syntax ("_" may separate digits of integers: 1_000), strings as they are,
// lists comma-separated; an empty text is the empty list. The error says what text is not:
// `"abc" is not an int`.
func Parse(like any, text string) (any, error) {
	switch like.(type) {
	case int:
		var v int
		if json.Unmarshal([]byte(strings.ReplaceAll(text, "_", "")), &v) != nil {
			return nil, notA(text, like)
		}
		return v, nil
	case float64:
		var v float64
		if json.Unmarshal([]byte(text), &v) != nil {
			return nil, notA(text, like)
		}
		return v, nil
	case bool:
		var v bool
		if json.Unmarshal([]byte(text), &v) != nil {
			return nil, notA(text, like)
		}
		return v, nil
	case string:
		return text, nil
	case []int:
		v := []int{}
		for _, part := range listItems(text) {
			var x int
			if json.Unmarshal([]byte(strings.ReplaceAll(part, "_", "")), &x) != nil {
				return nil, notA(text, like)
			}
			v = append(v, x)
		}
		return v, nil
	case []float64:
		v := []float64{}
		for _, part := range listItems(text) {
			var x float64
			if json.Unmarshal([]byte(part), &x) != nil {
				return nil, notA(text, like)
			}
			v = append(v, x)
		}
		return v, nil
	case []string:
		return append([]string{}, listItems(text)...), nil
	}
	return nil, fmt.Errorf("%w %T", ErrUnsupported, like)
}

func listItems(text string) []string {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	return strings.Split(text, ",")
}

// notA is the error of a text that is not a value of like's type.
func notA(text string, like any) error {
	return fmt.Errorf("%q is not %s", text, typeWords(like))
}

// typeWords names a parameter type in a sentence: "an int", "a number".
func typeWords(like any) string {
	switch like.(type) {
	case int:
		return "an int"
	case float64:
		return "a number"
	case bool:
		return "true or false"
	case []int:
		return "a comma-separated list of ints"
	case []float64:
		return "a comma-separated list of numbers"
	}
	return fmt.Sprintf("a %T", like)
}

// Format writes a value in the syntax Parse reads: lists comma-separated, everything else as
// fmt.Sprint writes it.
func Format(v any) string {
	switch v := v.(type) {
	case []string:
		return strings.Join(v, ",")
	case []int:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = fmt.Sprint(x)
		}
		return strings.Join(parts, ",")
	case []float64:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = fmt.Sprint(x)
		}
		return strings.Join(parts, ",")
	default:
		return fmt.Sprint(v)
	}
}
