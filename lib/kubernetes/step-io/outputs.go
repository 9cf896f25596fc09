package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// contractError is a step breaking its contract (as activities/steps/step-folder.ts words it).
type contractError struct{ msg string }

func (e contractError) Error() string { return e.msg }

// outputPath resolves a declared output below the outputs folder. A symbolic link (the output itself
// or a folder on its way) is followed only while it stays inside the outputs folder: a link to a file
// of the image or the node is refused, naming the output, and nothing of it is uploaded.
func outputPath(outputsDir, name, rel string) (string, os.FileInfo, error) {
	path := filepath.Join(outputsDir, rel)
	if _, err := os.Lstat(path); err != nil {
		return "", nil, nil // missing: the caller lists it
	}
	root, err := filepath.EvalSymlinks(outputsDir)
	if err != nil {
		return "", nil, err
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", nil, contractError{fmt.Sprintf("output %q (/outputs/%s) is a symbolic link that leads nowhere", name, rel)}
	}
	if real != root && !strings.HasPrefix(real, root+"/") {
		return "", nil, contractError{fmt.Sprintf("output %q (/outputs/%s) is a symbolic link to %s, outside /outputs; Tidemark never follows links out of /outputs. Write the file itself into /outputs (copy it, do not link it)", name, rel, strings.TrimPrefix(real, root))}
	}
	info, err := os.Stat(real)
	if err != nil {
		return "", nil, err
	}
	if !info.Mode().IsRegular() && !info.IsDir() {
		return "", nil, contractError{fmt.Sprintf("output %q (/outputs/%s) is neither a file nor a folder", name, rel)}
	}
	return real, info, nil
}

// readMetrics reads /outputs/metrics.json as the worker does: absent is none, anything but an object of finite numbers is a contract error.
func readMetrics(outputsDir string) (map[string]float64, error) {
	text, err := os.ReadFile(filepath.Join(outputsDir, "metrics.json"))
	if err != nil {
		return map[string]float64{}, nil
	}
	var parsed any
	if err := json.Unmarshal(text, &parsed); err != nil {
		return nil, contractError{fmt.Sprintf("/outputs/metrics.json is not JSON: %v", err)}
	}
	obj, ok := parsed.(map[string]any)
	if !ok {
		return nil, contractError{`/outputs/metrics.json must be an object of { "name": number }`}
	}
	metrics := map[string]float64{}
	for k, v := range obj {
		n, ok := v.(float64)
		if !ok || math.IsInf(n, 0) || math.IsNaN(n) {
			shown, _ := json.Marshal(v)
			return nil, contractError{fmt.Sprintf("/outputs/metrics.json: %q is %s, not a finite number", k, shown)}
		}
		metrics[k] = n
	}
	return metrics, nil
}

// collectOutputs finds every declared output, then uploads each (a folder as node-tar's deterministic
// tar, written to scratch while it is hashed) and returns their refs.
func collectOutputs(ctx context.Context, st *store, outputsDir, scratch string, declared map[string]string) (map[string]ArtifactRef, error) {
	names := make([]string, 0, len(declared))
	for name := range declared {
		names = append(names, name)
	}
	sort.Strings(names)
	type found struct {
		path string
		dir  bool
	}
	paths := map[string]found{}
	var missing []string
	for _, name := range names {
		path, info, err := outputPath(outputsDir, name, declared[name])
		if err != nil {
			return nil, err
		}
		if info == nil {
			missing = append(missing, fmt.Sprintf("%s (/outputs/%s)", name, declared[name]))
			continue
		}
		paths[name] = found{path, info.IsDir()}
	}
	if len(missing) > 0 {
		return nil, contractError{"the step exited 0 but did not write: " + strings.Join(missing, ", ")}
	}
	refs := map[string]ArtifactRef{}
	for _, name := range names {
		out := paths[name]
		file, kind := out.path, "file"
		if out.dir {
			kind = "dir"
			file = filepath.Join(scratch, name+".tar")
			if err := tarToFile(out.path, file); err != nil {
				if !errors.Is(err, errEmptyFolder) {
					return nil, fmt.Errorf("output %q: %w", name, err)
				}
				return nil, contractError{fmt.Sprintf("output %q (/outputs/%s) is an empty folder", name, declared[name])}
			}
		}
		sha, size, err := sha256File(file)
		if err != nil {
			return nil, err
		}
		if err := st.upload(ctx, file, sha, size); err != nil {
			return nil, fmt.Errorf("uploading output %q: %w", name, err)
		}
		if out.dir {
			os.Remove(file)
		}
		refs[name] = st.ref(sha, size, name, kind)
	}
	return refs, nil
}

var errEmptyFolder = errors.New("the folder is empty")

func tarToFile(dir, file string) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	err = writeNodeTar(f, dir)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
