package runner

import (
	"github.com/clustergan/clustergan/methods"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// runSeed is the run's seed (methods.ParamSeed), checked by Config.Validate.
func runSeed(ctx *context.Context) int64 {
	c, _ := methods.ConfigFromContext(ctx)
	return int64(c.Seed)
}
