package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/healthanchor/healthanchor/internal/testtool"
)

var screenshots = flag.Bool("screenshots", false, "rewrite the explorer screenshots in docs/img/")

// chromiumFlags are the flags that keep a headless Chromium quiet on a
// machine without internet (no background networking, updates or sync).
var chromiumFlags = []chromedp.ExecAllocatorOption{
	chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
	chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
	chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
	chromedp.WindowSize(1100, 800),
}

// chromium returns Debian's chromium; outside CI the test is skipped
// without it, in CI (CI set, as .ci/run does) it fails.
func chromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		testtool.Missing(t, "chromium", "apt-get install -y --no-install-recommends chromium")
	}
	return path
}

// TestExplorerInBrowser starts the real `serve` with ui: on a demo
// deployment and drives headless Chromium through the explorer: the
// batches page, a batch, its verify button and result, blocks, runs and
// rejects, with no input value on any page.
func TestExplorerInBrowser(t *testing.T) {
	bin := chromium(t)
	_, cfg := newDeployment(t)
	port := freePort(t)
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "listen: 127.0.0.1:%d\nui: {listen: 127.0.0.1:%d}\n", freePort(t), port)
	f.Close()
	serve := exec.Command(binary, "--config", cfg, "serve")
	stderr, _ := serve.StderrPipe()
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { serve.Process.Kill(); serve.Wait() }()
	logs := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs <- sc.Text()
		}
		close(logs)
	}()
	waitFor(t, logs, "explorer serving", 20*time.Second)
	go func() {
		for range logs {
		}
	}()

	opts := append(append([]chromedp.ExecAllocatorOption{}, chromiumFlags...), chromedp.ExecPath(bin), chromedp.UserDataDir(t.TempDir()))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	browser, cancel := chromedp.NewContext(actx)
	defer cancel()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	// The first call starts the browser; it must not carry a timeout.
	if err := chromedp.Do(browser, chromedp.Navigate(base+"/")); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	ctx, cancelT := context.WithTimeout(browser, 60*time.Second)
	defer cancelT()

	shots := t.TempDir()
	if *screenshots {
		shots = filepath.Join("..", "..", "docs", "img")
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, "explorer-"+name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	do("batches page", chromedp.WaitVisible(chromedp.CSS("#batches")))
	batchesText := text("#batches")
	shot("batches")
	do("follow a batch and press verify",
		chromedp.Click(chromedp.CSS(`#batches a[href^="/batches/"]`)),
		chromedp.WaitVisible(chromedp.CSS("#verify")),
		chromedp.Click(chromedp.CSS("#verify")),
		chromedp.WaitVisible(chromedp.CSS("#verify-result")))
	result := text("#verify-result")
	shot("batch")
	do("blocks page", chromedp.Navigate(base+"/blocks"), chromedp.WaitVisible(chromedp.CSS("#blocks")))
	blocksText := text("#blocks")
	shot("blocks")
	do("runs page", chromedp.Navigate(base+"/runs"), chromedp.WaitVisible(chromedp.CSS("#runs")))
	runsText := text("#runs")
	shot("runs")
	do("rejects page", chromedp.Navigate(base+"/rejects"), chromedp.WaitVisible(chromedp.CSS("#rejects")))
	rejectsText := text("#rejects")
	shot("rejects")

	if !strings.Contains(batchesText, "patients-csv") || !strings.Contains(batchesText, "encounter/1") {
		t.Errorf("the batches page lacks the demo's batches:\n%s", batchesText)
	}
	if !strings.Contains(result, "Verified: every file of this batch matches its anchor") || strings.Contains(result, "FAILED") {
		t.Errorf("verify result: %s", result)
	}
	if !strings.Contains(blocksText, "demo-hospital") {
		t.Errorf("the blocks page lacks the proposer:\n%s", blocksText)
	}
	if !strings.Contains(runsText, "legacy-encounters") {
		t.Errorf("the runs page lacks the demo's runs:\n%s", runsText)
	}
	if !strings.Contains(rejectsText, "inbox/csv/patients-2026-11-24.csv:30") {
		t.Errorf("the rejects page lacks a source_ref:\n%s", rejectsText)
	}
	for _, value := range []string{"1981-02-30", "31/12/1960", "19791332"} {
		if strings.Contains(rejectsText, value) {
			t.Errorf("the rejects page shows the input value %q without ui.show_values", value)
		}
	}
}
