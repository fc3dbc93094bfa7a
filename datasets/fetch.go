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
	// local server; nil for data sets that are never downloaded (see manualSource).
	baseURL func() string
	// manualSource says where to get the files by hand (a URL, maybe with a note), for data
	// sets without a download.
	manualSource string
	// extraDirs lists directories searched before the cache when no data directory is given
	// (GoMNIST's copy of MNIST).
	extraDirs func() []string
	// rawNames also accepts the uncompressed file (the name without ".gz") in a data directory.
	rawNames bool
	// altNames maps a file name to other names accepted in a data directory (and, for data
	// sets without a download, in the cache).
	altNames map[string][]string
	// validate checks a downloaded file before it enters the cache; may be nil.
	validate func(path string, f remoteFile) error
}

// location is where a data file was found.
type location struct {
	path string
	file remoteFile
	// verify makes the reader check the bytes against file's published or recorded checksum.
	// Files in a data directory are not checked: users may keep them uncompressed, and the
	// parsers validate them anyway.
	verify bool
	// hint says what to do about a checksum mismatch; may be empty.
	hint string
}

// maxDownloadBytes bounds one download so a wrong URL cannot fill the disk; the largest file
// (Fashion-MNIST training images) is 26 MB.
const maxDownloadBytes = 256 << 20

// httpClient downloads the data files.
var httpClient = &http.Client{Timeout: 10 * time.Minute}

// locate finds every one of files. With a data directory (opts.Dir, from -data_dir or
// CLUSTERGAN_DATA_DIR) all of them must be there: mixing a partial directory with copies from
// elsewhere would silently pair files of different origins. Without one, each file is searched
// in the extra directories, then in the download cache, and downloaded into the cache when
// opts.AllowDownload is set. opts must have passed through withDefaults.
func (src *fileSource) locate(opts Options, files []remoteFile) ([]location, error) {
	if opts.Dir != "" {
		return src.locateInDir(opts, files)
	}
	return src.locateWithoutDir(opts, files)
}

// names returns the names f may have in a data directory, its canonical name first.
func (src *fileSource) names(f remoteFile) []string {
	names := []string{f.Name}
	if src.rawNames {
		names = append(names, strings.TrimSuffix(f.Name, ".gz"))
	}
	return append(names, src.altNames[f.Name]...)
}

func (src *fileSource) locateInDir(opts Options, files []remoteFile) ([]location, error) {
	dir := opts.Dir
	if err := checkReadableDir(dir); err != nil {
		return nil, fmt.Errorf("%s: data directory %s (set by %s) %w", src.dataset, dir, opts.dirSource(), err)
	}
	locs := make([]location, len(files))
	var missing []string
	for i, f := range files {
		found := false
		for _, n := range src.names(f) {
			if p := filepath.Join(dir, n); isFile(p) {
				locs[i], found = location{path: p, file: f}, true
				break
			}
		}
		if !found {
			missing = append(missing, strings.Join(src.names(f), " or "))
		}
	}
	if len(missing) == 0 {
		return locs, nil
	}
	get := "get them from " + src.manualSource
	if src.baseURL != nil {
		get = "download them from " + src.baseURL()
	}
	return nil, fmt.Errorf("%s: data directory %s (set by %s) lacks %s; %s into it, or leave -data_dir and $%s empty to %s",
		src.dataset, dir, opts.dirSource(), strings.Join(missing, ", "), get, EnvDataDir, src.withoutDirText(opts))
}

// checkReadableDir returns nil when dir is a directory whose entries can be listed, else an
// error that completes the sentence "data directory X ...".
func checkReadableDir(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errors.New("does not exist")
	case err != nil:
		return fmt.Errorf("cannot be read: %w", unwrapPath(err))
	case !info.IsDir():
		return errors.New("is not a directory")
	}
	f, err := os.Open(dir)
	if err == nil {
		_, err = f.Readdirnames(1)
		f.Close()
	}
	if err != nil && err != io.EOF {
		return fmt.Errorf("cannot be read: %w", unwrapPath(err))
	}
	return nil
}

// unwrapPath drops the path of a *fs.PathError, for messages that name the path already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// withoutDirText says what an empty -data_dir does for this data set.
func (src *fileSource) withoutDirText(opts Options) string {
	var places []string
	if src.extraDirs != nil {
		places = append(places, "the Go module cache's GoMNIST copy")
	}
	if opts.CacheDir != "" {
		places = append(places, filepath.Join(opts.CacheDir, src.dataset))
	} else {
		places = append(places, "the download cache")
	}
	text := "search " + strings.Join(places, " and ")
	if src.baseURL != nil {
		text += ", downloading what is missing (-download)"
	}
	return text
}

func (src *fileSource) locateWithoutDir(opts Options, files []remoteFile) ([]location, error) {
	var dirs []string
	if src.extraDirs != nil {
		dirs = src.extraDirs()
	}
	cacheDir := ""
	if opts.CacheDir != "" {
		cacheDir = filepath.Join(opts.CacheDir, src.dataset)
	}
	cacheHint := ""
	if src.baseURL != nil {
		cacheHint = "delete it to download it again"
	}
	locs := make([]location, len(files))
	var missing []string
next:
	for i, f := range files {
		for _, d := range dirs {
			if p := filepath.Join(d, f.Name); isFile(p) {
				locs[i] = location{path: p, file: f, verify: true}
				continue next
			}
		}
		if cacheDir == "" {
			missing = append(missing, f.Name)
			continue
		}
		names := []string{f.Name}
		if src.baseURL == nil {
			names = src.names(f) // Put there by hand, under any accepted name.
		}
		for _, n := range names {
			if p := filepath.Join(cacheDir, n); isFile(p) {
				locs[i] = location{path: p, file: f, verify: true, hint: cacheHint}
				continue next
			}
		}
		if opts.AllowDownload && src.baseURL != nil {
			p := filepath.Join(cacheDir, f.Name)
			if err := src.download(p, f); err != nil {
				return nil, err
			}
			locs[i] = location{path: p, file: f, verify: true, hint: cacheHint}
			continue
		}
		missing = append(missing, f.Name)
	}
	if len(missing) == 0 {
		return locs, nil
	}
	searched := dirs
	if cacheDir != "" {
		searched = append(searched, cacheDir)
	} else {
		searched = append(searched, "(no cache directory: os.UserCacheDir failed and Options.CacheDir is empty)")
	}
	var todo string
	if src.baseURL != nil {
		todo = fmt.Sprintf("allow downloads (-download, Options.AllowDownload) to fetch them from %s", src.baseURL())
	} else {
		todo = fmt.Sprintf("put them in %s; get them from %s; no checksum is published, so they are never downloaded automatically",
			cacheDirOrDefault(cacheDir), src.manualSource)
	}
	return nil, fmt.Errorf("%s: %s not found; looked in %s. Set -data_dir or $%s to a directory holding them, or %s",
		src.dataset, strings.Join(missing, ", "), strings.Join(searched, ", "), EnvDataDir, todo)
}

func cacheDirOrDefault(dir string) string {
	if dir == "" {
		return "the cache directory (Options.CacheDir)"
	}
	return dir
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
	d := newDigester(f)
	n, err := io.Copy(io.MultiWriter(tmp, d), io.LimitReader(resp.Body, maxDownloadBytes+1))
	if err != nil {
		return fmt.Errorf("%s: downloading %s: %w", src.dataset, url, err)
	}
	if n > maxDownloadBytes {
		return fmt.Errorf("%s: downloading %s: larger than %d bytes", src.dataset, url, maxDownloadBytes)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: writing %s: %w", src.dataset, tmp.Name(), err)
	}
	if f.SHA256 != "" || f.MD5 != "" {
		if err := d.check(tmp.Name(), f); err != nil {
			return fmt.Errorf("%s: downloaded from %s: %w", src.dataset, url, err)
		}
	}
	if src.validate != nil {
		if err := src.validate(tmp.Name(), f); err != nil {
			return fmt.Errorf("%s: downloaded from %s: %w", src.dataset, url, err)
		}
	}
	if f.SHA256 == "" && f.MD5 == "" {
		// No published checksum: remember this one so later uses detect a changed file.
		if err := os.WriteFile(dst+".sha256", []byte(d.sha256Hex()+"\n"), 0o644); err != nil {
			return fmt.Errorf("%s: recording checksum: %w", src.dataset, err)
		}
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("%s: %w", src.dataset, err)
	}
	return nil
}

// digester hashes the bytes written to it: always SHA-256 (for provenance and the recorded
// checksums), and MD5 when the file's only published checksum is one.
type digester struct {
	sha, md5 hash.Hash
}

func newDigester(f remoteFile) *digester {
	d := &digester{sha: sha256.New()}
	if f.SHA256 == "" && f.MD5 != "" {
		d.md5 = md5.New()
	}
	return d
}

func (d *digester) Write(p []byte) (int, error) {
	d.sha.Write(p)
	if d.md5 != nil {
		d.md5.Write(p)
	}
	return len(p), nil
}

func (d *digester) sha256Hex() string { return hex.EncodeToString(d.sha.Sum(nil)) }

// check compares the digest of path's bytes with the checksum of f: its published SHA-256 or
// MD5, else the SHA-256 recorded at download time (path + ".sha256"), if any.
func (d *digester) check(path string, f remoteFile) error {
	var got, want, algo string
	switch {
	case f.SHA256 != "":
		got, want, algo = d.sha256Hex(), f.SHA256, "SHA-256"
	case f.MD5 != "":
		got, want, algo = hex.EncodeToString(d.md5.Sum(nil)), f.MD5, "MD5"
	default:
		recorded, err := os.ReadFile(path + ".sha256")
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading recorded checksum of %s: %w", path, err)
		}
		got, want, algo = d.sha256Hex(), strings.TrimSpace(string(recorded)), "recorded SHA-256"
	}
	if got != want {
		return fmt.Errorf("%s of %s is %s, want %s (%s): the file is corrupt or not the published one", algo, path, got, want, f.Name)
	}
	return nil
}

// verifyFile checks path against the checksum of f (see digester.check), reading it once.
func verifyFile(path string, f remoteFile) error {
	_, err := readVerified(location{path: path, file: f, verify: true}, "", func(io.Reader, int64) error { return nil })
	return err
}

// readVerified opens loc.path and hands its bytes to parse as they are read (size is the
// file's size), then reads whatever parse left, so that one pass yields both the content and
// the SHA-256 of the whole file. It returns the file's provenance under role. When
// loc.verify is set the bytes must match loc.file's checksum; a mismatch is reported instead
// of any parse error, as its likely cause.
func readVerified(loc location, role string, parse func(r io.Reader, size int64) error) (FileInfo, error) {
	f, err := os.Open(loc.path)
	if err != nil {
		return FileInfo{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return FileInfo{}, err
	}
	d := &digester{sha: sha256.New()}
	if loc.verify {
		d = newDigester(loc.file)
	}
	tee := io.TeeReader(f, d)
	parseErr := parse(tee, info.Size())
	if parseErr != nil && !loc.verify {
		return FileInfo{}, parseErr
	}
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return FileInfo{}, fmt.Errorf("reading %s: %w", loc.path, err)
	}
	if loc.verify {
		if err := d.check(loc.path, loc.file); err != nil {
			if loc.hint != "" {
				err = fmt.Errorf("%w (%s)", err, loc.hint)
			}
			return FileInfo{}, err
		}
	}
	if parseErr != nil {
		return FileInfo{}, parseErr
	}
	abs, err := filepath.Abs(loc.path)
	if err != nil {
		return FileInfo{}, err
	}
	return FileInfo{Role: role, Path: abs, SHA256: d.sha256Hex()}, nil
}

func isFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}
