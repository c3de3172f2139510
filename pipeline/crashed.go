package pipeline

import (
	"context"
	"errors"
	"fmt"
)

// RunCrashed is the status of a run whose process ended without recording
// how it ended (killed, out of memory, power loss). Whatever it left is
// taken up by the job's next run, as after any crash.
const RunCrashed = "crashed"

// crashedReason is the error recorded on a crashed run.
const crashedReason = "the process running it ended without recording how (killed, out of memory or power loss); the next run takes its window up again"

// closeCrashed records as crashed every run of job still recorded as
// running. The caller holds the job's lock, so no live process is running
// any of them: a process running a job holds its lock until it ends, and
// the kernel releases it when the process dies.
func (n *Node) closeCrashed(ctx context.Context, job string) error {
	res, err := n.State.db.ExecContext(ctx, `UPDATE runs SET status = ?, ended_at = ?, error = ? WHERE job = ? AND status = ?`,
		RunCrashed, now(), crashedReason, job, RunRunning)
	if err != nil {
		return fmt.Errorf("pipeline: state: close crashed runs of %s: %w", job, err)
	}
	if k, _ := res.RowsAffected(); k > 0 {
		n.Logger.Warn("a previous run of this job crashed; recorded as crashed", "job", job, "runs", k)
	}
	return nil
}

// CloseCrashedRuns records as crashed the runs recorded as running whose
// job's lock no process holds, so that the run history does not show a
// dead run as running. A job whose lock is held is left alone: it is
// running now.
func (n *Node) CloseCrashedRuns(ctx context.Context) error {
	rows, err := n.State.db.QueryContext(ctx, `SELECT DISTINCT job FROM runs WHERE status = ?`, RunRunning)
	if err != nil {
		return fmt.Errorf("pipeline: state: runs: %w", err)
	}
	var jobs []string
	for rows.Next() {
		var j string
		if err := rows.Scan(&j); err != nil {
			rows.Close()
			return fmt.Errorf("pipeline: state: runs: %w", err)
		}
		jobs = append(jobs, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("pipeline: state: runs: %w", err)
	}
	for _, j := range jobs {
		lock, err := n.lockJob(j)
		if errors.Is(err, ErrLocked) {
			continue
		}
		if err != nil {
			return err
		}
		err = n.closeCrashed(ctx, j)
		lock.release()
		if err != nil {
			return err
		}
	}
	return nil
}
