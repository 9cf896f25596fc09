package main

import (
	"encoding/json"
	"fmt"
	"os"
)

// ArtifactRef is common/artifact.ts's ArtifactRef: a content-addressed object in the store.
type ArtifactRef struct {
	URI    string `json:"uri"`
	Sha256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
}

// Input is one download: the ref and where it goes below /inputs.
type Input struct {
	Path string      `json:"path"`
	Ref  ArtifactRef `json:"ref"`
}

// Spec is what the worker tells the pod (lib/kubernetes/step-io-spec.ts writes it): where the store is,
// credentials scoped to this step, the inputs, the declared outputs and where the result goes.
type Spec struct {
	Endpoint     string            `json:"endpoint"`
	AccessKey    string            `json:"accessKey"`
	SecretKey    string            `json:"secretKey"`
	SessionToken string            `json:"sessionToken"`
	Bucket       string            `json:"bucket"`
	Inputs       []Input           `json:"inputs"`
	Params       string            `json:"params"`
	Outputs      map[string]string `json:"outputs"`
	ResultKey    string            `json:"resultKey"`
}

// Failure says why the step did not produce its outputs, for the worker to turn into its error.
type Failure struct {
	// "contract": the step broke the contract (a missing output, bad metrics, a link out of /outputs);
	// "io": the store could not be read or written.
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// Result is what the pod writes to the store at ResultKey when the step's command has ended.
type Result struct {
	ExitCode int                    `json:"exitCode"`
	Signal   string                 `json:"signal,omitempty"`
	Outputs  map[string]ArtifactRef `json:"outputs"`
	Metrics  map[string]float64     `json:"metrics"`
	Error    *Failure               `json:"error,omitempty"`
}

func readSpec(data []byte) (*Spec, error) {
	var s Spec
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("the step's I/O spec is not valid JSON: %w", err)
	}
	if s.Endpoint == "" || s.Bucket == "" || s.ResultKey == "" {
		return nil, fmt.Errorf("the step's I/O spec lacks endpoint, bucket or resultKey")
	}
	return &s, nil
}

func writeFileMode(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
