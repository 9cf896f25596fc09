package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// stageIn runs in the pod's init container: it copies this program into the shared folder for the
// step's container, downloads the inputs (hash-verified) into the inputs folder, writes params.json,
// and leaves the spec for `run` in the shared folder (readable by its owner only).
func stageIn(ctx context.Context, spec *Spec, specJSON []byte, inputsDir, sharedDir string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if err := copyFile(self, filepath.Join(sharedDir, "step-io"), 0o755); err != nil {
		return fmt.Errorf("copying the I/O helper into the pod: %w", err)
	}
	if err := writeFileMode(filepath.Join(sharedDir, "io.json"), specJSON, 0o600); err != nil {
		return err
	}
	if len(spec.Inputs) > 0 {
		st, err := openStore(spec)
		if err != nil {
			return err
		}
		scratch := filepath.Join(sharedDir, "scratch")
		if err := os.MkdirAll(scratch, 0o700); err != nil {
			return err
		}
		for _, in := range spec.Inputs {
			dest, err := safeJoin(inputsDir, in.Path)
			if err != nil {
				return fmt.Errorf("input %q: %w", in.Ref.Name, err)
			}
			if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
				return err
			}
			if in.Ref.Kind != "dir" {
				if err := st.download(ctx, in.Ref, dest); err != nil {
					return fmt.Errorf("input %q: %w", in.Ref.Name, err)
				}
				continue
			}
			archive := filepath.Join(scratch, in.Ref.Sha256+".tar")
			if err := st.download(ctx, in.Ref, archive); err != nil {
				return fmt.Errorf("input %q: %w", in.Ref.Name, err)
			}
			err = extractTar(archive, dest)
			os.Remove(archive)
			if err != nil {
				return fmt.Errorf("input %q: %w", in.Ref.Name, err)
			}
		}
		os.Remove(scratch)
	}
	return writeFileMode(filepath.Join(inputsDir, "params.json"), []byte(spec.Params), 0o644)
}

func copyFile(from, to string, mode os.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
