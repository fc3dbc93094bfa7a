package rundir

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// writeLockFile writes a lock file as another process would have left it.
func writeLockFile(t *testing.T, dir string, o Owner) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, LockFile), o.encode(), 0o644))
}

func TestLockExclusiveAndReleased(t *testing.T) {
	dir := t.TempDir()
	l, err := LockDir(dir)
	require.NoError(t, err)
	require.False(t, l.Created())
	require.NoError(t, l.Lost())

	// A second hold, even by this process, is refused with the owner named.
	_, err = LockDir(dir)
	var held *HeldError
	require.ErrorAs(t, err, &held)
	host, _ := os.Hostname()
	require.Equal(t, os.Getpid(), held.Owner.PID)
	require.Contains(t, err.Error(), "is in use by pid")
	require.Contains(t, err.Error(), "on host "+host)

	require.NoError(t, l.Release())
	require.NoError(t, l.Release(), "release twice")
	require.NoFileExists(t, filepath.Join(dir, LockFile))
	l2, err := LockDir(dir)
	require.NoError(t, err)
	require.NoError(t, l2.Release())

	_, err = LockDir(filepath.Join(dir, "missing"))
	require.ErrorIs(t, err, fs.ErrNotExist)
}

func TestCreateDirAndRemoveDir(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "run")
	l, err := CreateDir(dir)
	require.NoError(t, err)
	require.True(t, l.Created())
	_, err = CreateDir(dir)
	require.ErrorIs(t, err, fs.ErrExist, "a directory is created by one process only")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "settings.txt"), []byte("x"), 0o644))
	require.NoError(t, l.RemoveDir())
	require.NoDirExists(t, dir)

	// A directory this process did not create is never removed.
	require.NoError(t, os.Mkdir(dir, 0o755))
	l, err = LockDir(dir)
	require.NoError(t, err)
	require.ErrorContains(t, l.RemoveDir(), "was not created by this process")
	require.DirExists(t, dir)
	require.NoError(t, l.Release())
}

// A lock whose heartbeat is older than LockStaleAfter is taken over; a fresh one on another
// host is not, whatever its pid.
func TestLockStaleHeartbeatTakenOver(t *testing.T) {
	dir := t.TempDir()
	other := Owner{PID: 1, Host: "another-host", Started: time.Now().Add(-time.Hour), Heartbeat: time.Now(), Token: "feed"}
	writeLockFile(t, dir, other)
	_, err := LockDir(dir)
	var held *HeldError
	require.ErrorAs(t, err, &held)
	require.Equal(t, "another-host", held.Owner.Host)

	other.Heartbeat = time.Now().Add(-LockStaleAfter - time.Second)
	writeLockFile(t, dir, other)
	l, err := LockDir(dir)
	require.NoError(t, err)
	require.Equal(t, os.Getpid(), readOwner(t, dir).PID)
	require.NoError(t, l.Release())
	matches, _ := filepath.Glob(filepath.Join(dir, LockFile+".*"))
	require.Empty(t, matches, "no claim or temporary file left")
}

// On the same host, a lock whose process has exited is free at once.
func TestLockOfExitedProcessTakenOver(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	require.NoError(t, cmd.Run())
	host, _ := os.Hostname()
	dir := t.TempDir()
	dead := Owner{PID: cmd.Process.Pid, Host: host, Space: pidSpace(), Started: time.Now(), Heartbeat: time.Now(), Token: "dead"}
	writeLockFile(t, dir, dead)
	l, err := LockDir(dir)
	require.NoError(t, err)
	require.NoError(t, l.Release())

	// In another PID namespace (a container sharing the host name) the pid means nothing here:
	// only the heartbeat counts.
	if pidSpace() != "" {
		dead.Space = "other-boot/pid:[1]"
		writeLockFile(t, dir, dead)
		_, err = LockDir(dir)
		var held *HeldError
		require.ErrorAs(t, err, &held)
	}
}

// Many processes finding the same stale lock at once: exactly one takes it over.
func TestLockTakeoverRace(t *testing.T) {
	for trial := range 20 {
		dir := t.TempDir()
		writeLockFile(t, dir, Owner{PID: 1, Host: "another-host", Started: time.Now().Add(-time.Hour),
			Heartbeat: time.Now().Add(-time.Hour), Token: "stale"})
		var wg sync.WaitGroup
		var mu sync.Mutex
		var won []*Lock
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l, err := LockDir(dir)
				if err == nil {
					mu.Lock()
					won = append(won, l)
					mu.Unlock()
					return
				}
				var held *HeldError
				if !errors.As(err, &held) {
					t.Errorf("trial %d: %v", trial, err)
				}
			}()
		}
		wg.Wait()
		require.Len(t, won, 1, "trial %d", trial)
		require.Equal(t, won[0].Owner().Token, readOwner(t, dir).Token)
		require.NoError(t, won[0].Release())
	}
}

// A claim left by a taker that died mid-takeover goes stale like a lock.
func TestLockStaleClaimRemoved(t *testing.T) {
	dir := t.TempDir()
	writeLockFile(t, dir, Owner{PID: 1, Host: "another-host", Started: time.Now(), Heartbeat: time.Now().Add(-time.Hour), Token: "stale"})
	claim := filepath.Join(dir, LockFile+".claim-stale")
	require.NoError(t, os.WriteFile(claim, nil, 0o644))
	_, err := LockDir(dir)
	var held *HeldError
	require.ErrorAs(t, err, &held)
	require.True(t, held.TakingOver)
	require.Contains(t, err.Error(), "is being taken over")

	old := time.Now().Add(-LockStaleAfter - time.Second)
	require.NoError(t, os.Chtimes(claim, old, old))
	l, err := LockDir(dir)
	require.NoError(t, err)
	require.NoError(t, l.Release())
}

// The owner refreshes its heartbeat, and notices when its lock has been replaced: it then
// never removes the new owner's lock.
func TestLockHeartbeatAndLoss(t *testing.T) {
	saved := LockHeartbeat
	LockHeartbeat = 5 * time.Millisecond
	t.Cleanup(func() { LockHeartbeat = saved })
	dir := t.TempDir()
	l, err := LockDir(dir)
	require.NoError(t, err)
	first := readOwner(t, dir).Heartbeat
	require.Eventually(t, func() bool { return readOwner(t, dir).Heartbeat.After(first) }, 5*time.Second, time.Millisecond)

	// Another process takes over (as takeOver does: a new file renamed over the lock).
	taker := Owner{PID: 4242, Host: "taker-host", Started: time.Now(), Heartbeat: time.Now(), Token: "taker"}
	tmp := filepath.Join(dir, "new-lock")
	require.NoError(t, os.WriteFile(tmp, taker.encode(), 0o644))
	require.NoError(t, os.Rename(tmp, filepath.Join(dir, LockFile)))
	require.Eventually(t, func() bool { return l.Lost() != nil }, 5*time.Second, time.Millisecond)
	require.ErrorContains(t, l.Lost(), "lost the lock of run directory "+dir+" to pid 4242 on host taker-host")
	require.NoError(t, l.Release())
	require.Equal(t, "taker", readOwner(t, dir).Token, "the new owner's lock is kept")
}

func readOwner(t *testing.T, dir string) Owner {
	t.Helper()
	_, o, _, err := readLock(filepath.Join(dir, LockFile))
	require.NoError(t, err)
	return o
}
