package datasets

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// remoteFile is one data file with its published checksum: SHA256 when known, else MD5
// (Fashion-MNIST publishes only MD5s); with neither, the SHA-256 of the first download is
// recorded beside the file and checked on every later use.
type remoteFile struct {
	Name   string
	SHA256 string
	MD5    string
}

// fileSource describes where the files of one data set live.
type fileSource struct {
	// dataset names the data set and its subdirectory of the cache.
	dataset string
	// baseURL is read when a download starts, so tests can point the package variable at a
	// local server.
	baseURL func() string
	// extraDirs lists further directories searched after Options.Dir (GoMNIST's copy of MNIST).
	extraDirs func() []string
	// rawNames also accepts the uncompressed file (the name without ".gz") in Options.Dir.
	rawNames bool
	// altNames maps a file name to other names accepted in Options.Dir.
	altNames map[string][]string
	// validate checks a downloaded file before it enters the cache; may be nil.
	validate func(path string, f remoteFile) error
}

// maxDownloadBytes bounds one download so a wrong URL cannot fill the disk; the largest file
// (Fashion-MNIST training images) is 26 MB.
const maxDownloadBytes = 256 << 20

// httpClient downloads the data files.
var httpClient = &http.Client{Timeout: 10 * time.Minute}

// findFile returns the path of file f: in opts.Dir (any accepted name), then in the extra
// directories, then in the download cache, and finally downloaded into the cache when
// opts.AllowDownload is set. opts must have passed through withDefaults. The error lists every
// place searched and what to do. Files in opts.Dir are not checksummed, since users may keep
// them uncompressed; the parsers still validate them.
func (src *fileSource) findFile(opts Options, f remoteFile) (string, error) {
	var looked []string
	if opts.Dir != "" {
		names := []string{f.Name}
		if src.rawNames {
			names = append(names, strings.TrimSuffix(f.Name, ".gz"))
		}
		names = append(names, src.altNames[f.Name]...)
		for _, n := range names {
			p := filepath.Join(opts.Dir, n)
			if isFile(p) {
				return p, nil
			}
			looked = append(looked, p)
		}
	}
	if src.extraDirs != nil {
		for _, dir := range src.extraDirs() {
			p := filepath.Join(dir, f.Name)
			if !isFile(p) {
				looked = append(looked, p)
				continue
			}
			if err := verifyFile(p, f); err != nil {
				return "", err
			}
			return p, nil
		}
	}
	if opts.CacheDir == "" {
		looked = append(looked, "(no cache directory: os.UserCacheDir failed and Options.CacheDir is empty)")
	} else {
		p := filepath.Join(opts.CacheDir, src.dataset, f.Name)
		if isFile(p) {
			if err := verifyFile(p, f); err != nil {
				return "", fmt.Errorf("%w (delete it to download it again)", err)
			}
			return p, nil
		}
		looked = append(looked, p)
		if opts.AllowDownload {
			return p, src.download(p, f)
		}
	}
	return "", fmt.Errorf("%s: %s not found; looked in %s. Set -data_dir or %s to a directory holding it, or allow downloads (Options.AllowDownload) to fetch it from %s",
		src.dataset, f.Name, strings.Join(looked, ", "), EnvDataDir, src.baseURL())
}

// download fetches f into dst: to a temporary file in the same directory, verified, then
// renamed, so an interrupted or corrupt download never leaves a file under dst.
func (src *fileSource) download(dst string, f remoteFile) (err error) {
	url := strings.TrimSuffix(src.baseURL(), "/") + "/" + f.Name
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("%s: creating cache directory: %w", src.dataset, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), f.Name+".*.partial")
	if err != nil {
		return fmt.Errorf("%s: %w", src.dataset, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	resp, err := httpClient.Get(url)
	if err != nil {
		return fmt.Errorf("%s: downloading %s: %w", src.dataset, url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: downloading %s: HTTP status %s", src.dataset, url, resp.Status)
	}
	sha := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, sha), io.LimitReader(resp.Body, maxDownloadBytes+1))
	if err != nil {
		return fmt.Errorf("%s: downloading %s: %w", src.dataset, url, err)
	}
	if n > maxDownloadBytes {
		return fmt.Errorf("%s: downloading %s: larger than %d bytes", src.dataset, url, maxDownloadBytes)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: writing %s: %w", src.dataset, tmp.Name(), err)
	}
	if err := verifyFile(tmp.Name(), f); err != nil {
		return fmt.Errorf("%s: downloaded from %s: %w", src.dataset, url, err)
	}
	if src.validate != nil {
		if err := src.validate(tmp.Name(), f); err != nil {
			return fmt.Errorf("%s: downloaded from %s: %w", src.dataset, url, err)
		}
	}
	if f.SHA256 == "" && f.MD5 == "" {
		// No published checksum: remember this one so later uses detect a changed file.
		if err := os.WriteFile(dst+".sha256", []byte(hex.EncodeToString(sha.Sum(nil))+"\n"), 0o644); err != nil {
			return fmt.Errorf("%s: recording checksum: %w", src.dataset, err)
		}
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("%s: %w", src.dataset, err)
	}
	return nil
}

// verifyFile checks path against the checksum of f: its published SHA-256 or MD5, else the
// SHA-256 recorded at download time (path + ".sha256"), if any.
func verifyFile(path string, f remoteFile) error {
	var h hash.Hash
	want, algo := f.SHA256, "SHA-256"
	switch {
	case f.SHA256 != "":
		h = sha256.New()
	case f.MD5 != "":
		h, want, algo = md5.New(), f.MD5, "MD5"
	default:
		recorded, err := os.ReadFile(path + ".sha256")
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading recorded checksum of %s: %w", path, err)
		}
		h, want, algo = sha256.New(), strings.TrimSpace(string(recorded)), "recorded SHA-256"
	}
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	if _, err := io.Copy(h, file); err != nil {
		return fmt.Errorf("hashing %s: %w", path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("%s of %s is %s, want %s (%s): the file is corrupt or not the published one", algo, path, got, want, f.Name)
	}
	return nil
}

func isFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}
