package rundir

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// LockFile is a run directory's lock: the process that holds it owns the directory (a run, or a
// sweep point) and is the only one that writes there.
//
// The lock works on shared and network file systems, where flock is often ignored: it is a
// file created exclusively (O_EXCL) holding the owner's pid, host, start time and a heartbeat
// that the owner rewrites every LockHeartbeat. A lock whose heartbeat is older than
// LockStaleAfter, or whose process has exited when it is on the same host (and, on Linux, boot
// and PID namespace), is stale: another
// process may take it over (see LockDir). Hosts that share a directory need clocks that agree
// to well within LockStaleAfter.
const LockFile = "lock"

// Lock timing (variables so that tests can shorten them; a lock keeps the values it was taken
// with).
var (
	LockHeartbeat  = 15 * time.Second
	LockStaleAfter = 2 * time.Minute
)

// Owner is what a lock file says about the process holding it.
type Owner struct {
	PID  int
	Host string
	// Space identifies where PID is meaningful: the boot and the PID namespace (Linux), so
	// that containers sharing a host name never judge each other's processes.
	Space     string
	Started   time.Time
	Heartbeat time.Time
	// Token is random and unique to one hold of a lock: it tells two holds by the same process
	// apart, and names the claim of a takeover.
	Token string
}

func (o Owner) String() string {
	return fmt.Sprintf("pid %d on host %s", o.PID, o.Host)
}

// lockTimeLayout has a fixed width, so that a heartbeat rewritten in place never changes the
// file's length: a reader sees the old or the new content, never a shorter or longer mix.
const lockTimeLayout = "2006-01-02T15:04:05.000000000Z"

type ownerJSON struct {
	PID       int    `json:"pid"`
	Host      string `json:"host"`
	Space     string `json:"pid_space,omitempty"`
	Started   string `json:"started"`
	Heartbeat string `json:"heartbeat"`
	Token     string `json:"token"`
}

func (o Owner) encode() []byte {
	data, _ := json.Marshal(ownerJSON{o.PID, o.Host, o.Space, o.Started.UTC().Format(lockTimeLayout),
		o.Heartbeat.UTC().Format(lockTimeLayout), o.Token})
	return append(data, '\n')
}

func decodeOwner(data []byte) (Owner, error) {
	var j ownerJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return Owner{}, err
	}
	started, err1 := time.Parse(lockTimeLayout, j.Started)
	beat, err2 := time.Parse(lockTimeLayout, j.Heartbeat)
	if err := errors.Join(err1, err2); err != nil || j.Token == "" {
		return Owner{}, fmt.Errorf("not a lock: %v", err)
	}
	return Owner{PID: j.PID, Host: j.Host, Space: j.Space, Started: started, Heartbeat: beat, Token: j.Token}, nil
}

// HeldError says that another process holds a run directory's lock.
type HeldError struct {
	Dir   string
	Owner Owner // zero when the lock file could not be read (it is being written)
	// TakingOver: the lock is stale and another process is taking it over right now.
	TakingOver bool
}

func (e *HeldError) Error() string {
	if e.Owner.Token == "" {
		return fmt.Sprintf("run directory %s is locked by another process (%s is being written)", e.Dir, LockFile)
	}
	if e.TakingOver {
		return fmt.Sprintf("run directory %s is being taken over from %s by another process", e.Dir, e.Owner)
	}
	return fmt.Sprintf("run directory %s is in use by %s (since %s, heartbeat %s ago; its lock is stale after %s without one)",
		e.Dir, e.Owner, e.Owner.Started.Local().Format("2006-01-02 15:04:05"),
		time.Since(e.Owner.Heartbeat).Round(time.Second), LockStaleAfter)
}

// Lock is this process's hold on a run directory.
type Lock struct {
	dir, path string
	f         *os.File
	owner     Owner
	created   bool
	heartbeat time.Duration

	mu       sync.Mutex
	lost     error
	stop     chan struct{}
	done     chan struct{}
	released sync.Once
}

// Dir is the locked directory.
func (l *Lock) Dir() string { return l.dir }

// Owner is this hold's owner record.
func (l *Lock) Owner() Owner {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.owner
}

// Created reports whether this process created the directory when it took the lock
// (CreateDir): only then may it remove the directory (RemoveDir).
func (l *Lock) Created() bool { return l.created }

// Lost returns nil while the lock is held, and an error once another process has taken it
// over or the lock file has gone (checked at each heartbeat): the work must then stop.
func (l *Lock) Lost() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost
}

// CreateDir creates dir (its parent must exist) and locks it. It fails with an error
// satisfying errors.Is(err, fs.ErrExist) when dir exists already, so that two processes never
// both create one directory.
func CreateDir(dir string) (*Lock, error) {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, err
	}
	l, err := LockDir(dir)
	if err != nil {
		// Another process locked the new directory first: it is theirs now.
		return nil, err
	}
	l.created = true
	return l, nil
}

// LockDir takes the lock of the existing directory dir. When another process holds it, the
// error is a *HeldError naming that process. A stale lock is taken over: the taker first
// creates a claim file named after the stale lock's token exclusively, so that of several
// processes finding the same stale lock only one replaces it, and it replaces the lock by
// renaming its own lock file over it, so that the lock file never disappears meanwhile.
func LockDir(dir string) (*Lock, error) {
	if st, err := os.Stat(dir); err != nil {
		return nil, err
	} else if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	path := filepath.Join(dir, LockFile)
	for range 5 {
		l, err := newLock(dir, path)
		if err == nil {
			return l, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("locking %s: %w", dir, err)
		}
		raw, owner, mtime, err := readLock(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // released meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("locking %s: %w", dir, err)
		}
		if !stale(owner, mtime) {
			return nil, &HeldError{Dir: dir, Owner: owner}
		}
		l, err = takeOver(dir, path, raw, owner)
		if errors.Is(err, errRetry) {
			continue
		}
		return l, err
	}
	return nil, fmt.Errorf("locking %s: %s keeps changing; another process is contending for it", dir, LockFile)
}

var errRetry = errors.New("retry")

// readLock reads a lock file: its bytes, its owner (zero if it does not parse) and its
// modification time.
func readLock(path string) ([]byte, Owner, time.Time, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, Owner{}, time.Time{}, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, Owner{}, time.Time{}, err
	}
	owner, _ := decodeOwner(bytes.TrimSpace(raw))
	return raw, owner, st.ModTime(), nil
}

// stale reports whether a lock may be taken over. A lock that does not parse was just created
// and is being written, unless its file is older than LockStaleAfter.
func stale(o Owner, mtime time.Time) bool {
	if o.Token == "" {
		return time.Since(mtime) > LockStaleAfter
	}
	host, _ := os.Hostname()
	if host == o.Host && o.Space == pidSpace() && o.PID != os.Getpid() && !processAlive(o.PID) {
		return true
	}
	return time.Since(o.Heartbeat) > LockStaleAfter
}

// pidSpace identifies this boot and PID namespace on Linux ("" elsewhere, where host name and
// pid suffice).
var pidSpace = sync.OnceValue(func() string {
	boot, err1 := os.ReadFile("/proc/sys/kernel/random/boot_id")
	ns, err2 := os.Readlink("/proc/self/ns/pid")
	if err1 != nil || err2 != nil {
		return ""
	}
	return strings.TrimSpace(string(boot)) + "/" + ns
})

func newOwner() (Owner, error) {
	host, err := os.Hostname()
	if err != nil {
		return Owner{}, err
	}
	token := make([]byte, 8)
	if _, err := rand.Read(token); err != nil {
		return Owner{}, err
	}
	now := time.Now()
	return Owner{PID: os.Getpid(), Host: host, Space: pidSpace(), Started: now, Heartbeat: now, Token: hex.EncodeToString(token)}, nil
}

// newLock creates the lock file exclusively.
func newLock(dir, path string) (*Lock, error) {
	owner, err := newOwner()
	if err != nil {
		return nil, err
	}
	heldMu.Lock()
	defer heldMu.Unlock()
	if stopping {
		return nil, errStopping
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := writeOwner(f, owner); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return start(dir, path, f, owner), nil
}

func writeOwner(f *os.File, o Owner) error {
	if _, err := f.WriteAt(o.encode(), 0); err != nil {
		return err
	}
	return f.Sync()
}

// takeOver replaces the stale lock whose content was raw.
func takeOver(dir, path string, raw []byte, stale Owner) (*Lock, error) {
	id := stale.Token
	if id == "" {
		sum := sha256.Sum256(raw)
		id = hex.EncodeToString(sum[:8])
	}
	claim := path + ".claim-" + id
	c, err := os.OpenFile(claim, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if errors.Is(err, fs.ErrExist) {
		// A taker that died mid-takeover leaves its claim: it goes stale like a lock.
		if st, err := os.Stat(claim); err == nil && time.Since(st.ModTime()) > LockStaleAfter {
			os.Remove(claim)
			return nil, errRetry
		}
		return nil, &HeldError{Dir: dir, Owner: stale, TakingOver: true}
	}
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	c.Close()
	defer os.Remove(claim)

	// Under the claim, the lock may be replaced only if it still is the stale one judged: its
	// owner may have written a heartbeat, or released it, since it was read.
	now, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(now, raw) {
		return nil, errRetry
	}
	owner, err := newOwner()
	if err != nil {
		return nil, err
	}
	heldMu.Lock()
	defer heldMu.Unlock()
	if stopping {
		return nil, errStopping
	}
	tmp := path + ".tmp-" + owner.Token
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	if err := writeOwner(f, owner); err != nil {
		f.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		f.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	return start(dir, path, f, owner), nil
}

// start registers a new hold (the caller holds heldMu, so that a signal never finds a lock
// file whose hold it does not know) and starts its heartbeat.
func start(dir, path string, f *os.File, owner Owner) *Lock {
	l := &Lock{dir: dir, path: path, f: f, owner: owner, heartbeat: LockHeartbeat,
		stop: make(chan struct{}), done: make(chan struct{})}
	held[l] = true
	go l.beat()
	return l
}

// beat rewrites the heartbeat in place (through the open file, so that a lock file renamed
// over ours by a takeover is never written to) until the lock is released or lost.
func (l *Lock) beat() {
	defer close(l.done)
	ticker := time.NewTicker(l.heartbeat)
	defer ticker.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-ticker.C:
		}
		if err := l.stillOurs(); err != nil {
			l.mu.Lock()
			l.lost = err
			l.mu.Unlock()
			return
		}
		l.mu.Lock()
		l.owner.Heartbeat = time.Now()
		owner := l.owner
		l.mu.Unlock()
		// A failed write is retried at the next beat: the lock goes stale only if writing
		// keeps failing for LockStaleAfter.
		_ = writeOwner(l.f, owner)
	}
}

// stillOurs checks that the lock file is still the one this process created.
func (l *Lock) stillOurs() error {
	ours, err := l.f.Stat()
	if err != nil {
		return fmt.Errorf("lost the lock of run directory %s: %w", l.dir, err)
	}
	st, err := os.Stat(l.path)
	if err != nil {
		return fmt.Errorf("lost the lock of run directory %s: %s was removed", l.dir, l.path)
	}
	if !os.SameFile(ours, st) {
		_, owner, _, _ := readLock(l.path)
		return fmt.Errorf("lost the lock of run directory %s to %s (this process's heartbeat was older than %s)",
			l.dir, owner, LockStaleAfter)
	}
	return nil
}

// Release gives the lock up: the lock file is removed if it is still this process's. It is
// safe to call more than once.
func (l *Lock) Release() error {
	var err error
	l.released.Do(func() {
		close(l.stop)
		<-l.done
		if l.stillOurs() == nil {
			err = os.Remove(l.path)
		}
		l.f.Close()
		heldMu.Lock()
		delete(held, l)
		heldMu.Unlock()
	})
	return err
}

// RemoveDir removes the locked directory and everything in it, then the lock: for a
// directory this process created (Created) and that holds nothing worth keeping. The lock
// file goes last, so that no other process can take the directory while it is emptied.
func (l *Lock) RemoveDir() error {
	if !l.created {
		return fmt.Errorf("run directory %s was not created by this process: not removed", l.dir)
	}
	if err := l.Lost(); err != nil {
		return err
	}
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() != LockFile {
			if err := os.RemoveAll(filepath.Join(l.dir, e.Name())); err != nil {
				return err
			}
		}
	}
	if err := l.Release(); err != nil {
		return err
	}
	return os.Remove(l.dir)
}

var (
	// heldMu guards held and stopping, and is held while a lock file is created, so that
	// ReleaseOnSignal sees every lock this process has created.
	heldMu   sync.Mutex
	held     = map[*Lock]bool{}
	stopping bool // a signal arrived: no new locks

	errStopping = errors.New("the process is stopping: no new run directory locks")
)

// ReleaseOnSignal makes SIGINT and SIGTERM (Ctrl-C, a scheduler's preemption) release every lock
// this process holds, print one line to w and exit with status 128+signal, so that another
// process can take the work over at once instead of after LockStaleAfter.
func ReleaseOnSignal(w io.Writer, program string) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-ch
		heldMu.Lock()
		stopping = true
		var locks []*Lock
		for l := range held {
			locks = append(locks, l)
		}
		heldMu.Unlock()
		for _, l := range locks {
			l.Release()
		}
		fmt.Fprintf(w, "%s: stopped by %v; released %d run directory lock(s)\n", program, sig, len(locks))
		code := 130
		if s, ok := sig.(syscall.Signal); ok {
			code = 128 + int(s)
		}
		os.Exit(code)
	}()
}
