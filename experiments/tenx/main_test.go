package main

import (
	"testing"

	"github.com/clustergan/clustergan/experiments/runner/programtest"
)

func TestHelpAndPresets(t *testing.T) { programtest.HelpAndPresets(t, program) }

func TestMissingData(t *testing.T) { programtest.MissingData(t, program, "quick") }
