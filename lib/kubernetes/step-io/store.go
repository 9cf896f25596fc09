package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// store is the artifact store as the worker's MinioArtifactStore lays it out: content-addressed
// objects at cas/sha256/<xx>/<hash>, small JSON documents at index/<key>.
type store struct {
	client *minio.Client
	bucket string
}

func openStore(s *Spec) (*store, error) {
	u, err := url.Parse(s.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("store endpoint %q: %w", s.Endpoint, err)
	}
	client, err := minio.New(u.Host, &minio.Options{
		Creds:  credentials.NewStaticV4(s.AccessKey, s.SecretKey, s.SessionToken),
		Secure: u.Scheme == "https",
		Region: "us-east-1",
	})
	if err != nil {
		return nil, err
	}
	return &store{client: client, bucket: s.Bucket}, nil
}

func casKey(sha string) string { return "cas/sha256/" + sha[:2] + "/" + sha }

func parseS3URI(uri string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	bucket, key, found := strings.Cut(rest, "/")
	if !ok || !found || bucket == "" || key == "" {
		return "", "", fmt.Errorf("not an s3:// URI: %s", uri)
	}
	return bucket, key, nil
}

// download writes the object of ref to dest, verifying its sha256; nothing is left at dest on a mismatch.
func (s *store) download(ctx context.Context, ref ArtifactRef, dest string) error {
	bucket, key, err := parseS3URI(ref.URI)
	if err != nil {
		return err
	}
	obj, err := s.client.GetObject(ctx, bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return err
	}
	defer obj.Close()
	f, err := os.Create(dest)
	if err != nil {
		return err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), obj)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dest)
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return fmt.Errorf("artifact %q (%s) is not in the store", ref.Name, ref.URI)
		}
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != ref.Sha256 {
		os.Remove(dest)
		return fmt.Errorf("artifact %q hashes to %s, not %s: the stored object is corrupt", ref.Name, got, ref.Sha256)
	}
	return nil
}

// upload stores the file at path under its hash unless an object of that hash and size is there.
func (s *store) upload(ctx context.Context, path, sha string, size int64) error {
	key := casKey(sha)
	if info, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{}); err == nil && info.Size == size {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = s.client.PutObject(ctx, s.bucket, key, f, size, minio.PutObjectOptions{UserMetadata: map[string]string{"sha256": sha}})
	return err
}

func (s *store) ref(sha string, size int64, name, kind string) ArtifactRef {
	return ArtifactRef{URI: "s3://" + s.bucket + "/" + casKey(sha), Sha256: sha, Size: size, Name: name, Kind: kind}
}

// writeIndex stores a small JSON document at index/<key>, as the worker's writeIndex does.
func (s *store) writeIndex(ctx context.Context, key string, value any) error {
	body, err := json.Marshal(value)
	if err != nil {
		return err
	}
	_, err = s.client.PutObject(ctx, s.bucket, "index/"+key, bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{ContentType: "application/json"})
	return err
}

func sha256File(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil)), n, err
}
