//! Build benchmark: `cargo bench --bench build` (a plain program, no harness).
//!
//! For each programme size it generates a synthetic programme (every talk
//! scheduled, so that the peer Hugo site can build the same content) and
//! prints medians of:
//!
//! - `disk`: a full build as a separate process of the release binary, into
//!   an empty output folder, and the peak memory of that process; the same
//!   build and write in this process without the final `syncfs`, and with
//!   it, with and without early writeback of each file (`sync_file_range`),
//!   with the time the `syncfs` itself took;
//! - `cp -r`: copying that finished output folder (the floor for a build
//!   that writes as many files), timed alternately with the full build;
//! - `memory`: the in-memory build (load, resolve, check, render, feeds:
//!   everything but the write), in this process, up to the built site in
//!   memory (freeing it comes after the timing);
//! - `edit`: one talk file changed, then a full in-memory build plus the
//!   publish onto the existing output through the double buffer, flushed
//!   (watch and serve also reuse unchanged documents and pages; the
//!   `serve_latency` benchmark times that path);
//! - `no-op`: the same with nothing changed;
//! - Hugo 0.168 on the same content, in memory and to disk, with the
//!   scripts in the peer benchmark folder, as ratios to ours.
//!
//! Settings, from the environment:
//!
//! - `BENCH_SIZES` (default `1000,10000`), `BENCH_RUNS` (default 5);
//! - `BENCH_DIR` (default `target/bench`): where programmes and outputs go;
//! - `HUGO`: the hugo binary (default: `hugo` on PATH); without one the Hugo
//!   columns are skipped with a note;
//! - `PEER_BENCH`: the peer benchmark folder holding `hugo-compare.sh`
//!   (default `../shared/bench` from the repository, then `/work/shared/bench`).
//!
//! - `BENCH_BIN`: the programme binary for the full builds (default: the
//!   release binary cargo built for this benchmark).
//!
//! Peak memory comes from `/usr/bin/time -f %M` (skipped when absent).

use programme::write::spare::DoubleBuffer;
use programme::{build_in_memory, build_with, write, Options};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env_or(key: &str, default: &str) -> String {
    std::env::var(key).unwrap_or_else(|_| default.to_string())
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2
    }
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn remove(dir: &Path) {
    if dir.exists() {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

/// Times `f` once as a warm-up and then `runs` times; `prepare` runs untimed before each.
fn time_runs(runs: usize, mut prepare: impl FnMut(), mut f: impl FnMut()) -> Duration {
    let mut times = Vec::with_capacity(runs);
    for i in 0..=runs {
        prepare();
        let started = Instant::now();
        f();
        if i > 0 {
            times.push(started.elapsed());
        }
    }
    median(times)
}

fn hugo() -> Option<PathBuf> {
    let candidate = PathBuf::from(env_or("HUGO", "hugo"));
    let ok = Command::new(&candidate)
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(candidate)
}

fn peer_bench(repo: &Path) -> Option<PathBuf> {
    let candidates = [
        std::env::var("PEER_BENCH").ok().map(PathBuf::from),
        Some(repo.join("../shared/bench")),
        Some(PathBuf::from("/work/shared/bench")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.join("hugo-compare.sh").exists())
}

/// Runs the peer script and returns its median.
fn hugo_median(
    script: &Path,
    hugo: &Path,
    content: &Path,
    runs: usize,
    disk: Option<&Path>,
) -> Duration {
    let mut cmd = Command::new("bash");
    cmd.arg(script.join("hugo-compare.sh"))
        .arg(content)
        .arg(runs.to_string())
        .env("HUGO", hugo);
    if let Some(out) = disk {
        cmd.arg("--disk").arg(out);
    }
    let out = run(&mut cmd);
    let text = String::from_utf8_lossy(&out.stdout);
    let secs: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("hugo median "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no median in hugo-compare output:\n{text}"));
    Duration::from_secs_f64(secs)
}

/// Peak resident memory of one build process, in MB.
fn peak_memory(bin: &Path, root: &Path, out: &Path) -> Option<f64> {
    if !Path::new("/usr/bin/time").exists() {
        return None;
    }
    remove(out);
    let o = run(Command::new("/usr/bin/time")
        .args(["-f", "maxrss %M"])
        .arg(bin)
        .arg("build")
        .arg("--root")
        .arg(root)
        .arg("--output")
        .arg(out));
    let err = String::from_utf8_lossy(&o.stderr);
    err.lines()
        .find_map(|l| l.strip_prefix("maxrss "))
        .and_then(|k| k.trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
}

fn main() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let bin = std::env::var_os("BENCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_programme")));
    let sizes: Vec<usize> = env_or("BENCH_SIZES", "1000,10000")
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs: usize = env_or("BENCH_RUNS", "5").parse().unwrap_or(5).max(1);
    let work = PathBuf::from(env_or(
        "BENCH_DIR",
        &repo.join("target/bench").to_string_lossy(),
    ));
    let hugo = hugo();
    let peer = peer_bench(&repo);

    println!(
        "machine: {} cores, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model()
    );
    println!(
        "medians of {runs} runs after one warm-up; release binary {}",
        bin.display()
    );
    match (&hugo, &peer) {
        (Some(h), Some(p)) => println!("hugo: {} with {}", h.display(), p.display()),
        (None, _) => println!("hugo: not found (set HUGO=path/to/hugo); Hugo columns skipped"),
        (_, None) => {
            println!("hugo: peer benchmark folder not found (set PEER_BENCH); Hugo columns skipped")
        }
    }

    for &n in &sizes {
        println!("\n== {n} talks ==");
        let root = work.join(format!("synth-{n}"));
        remove(&root);
        programme::synth::generate_with(n, 1, &root, false).expect("generate");
        let out = work.join(format!("out-{n}"));
        let copy = work.join(format!("copy-{n}"));
        let opts = Options {
            output: Some(out.clone()),
            ..Options::new(&root)
        };

        // Full build to disk, as a separate process, into an empty folder,
        // and `cp -r` of its output, alternating (which goes first too): file
        // creation on some disks slows down for a while after large
        // deletions, and each timed step here follows one.
        let build = || {
            run(Command::new(&bin)
                .arg("build")
                .arg("--root")
                .arg(&root)
                .arg("--output")
                .arg(&out));
        };
        let copy_out = || {
            run(Command::new("cp").arg("-r").arg(&out).arg(&copy));
        };
        let (mut disks, mut cps) = (Vec::new(), Vec::new());
        for i in 0..=runs {
            let timed = |f: &dyn Fn()| {
                let started = Instant::now();
                f();
                started.elapsed()
            };
            let (d, c) = if i % 2 == 0 {
                remove(&out);
                let d = timed(&build);
                remove(&copy);
                (d, timed(&copy_out))
            } else {
                remove(&copy);
                let c = timed(&copy_out);
                remove(&out);
                (timed(&build), c)
            };
            if i > 0 {
                disks.push(d);
                cps.push(c);
            }
        }
        // Each pair ran back to back on the same disk state: the median of
        // their ratios is steadier than the ratio of the two medians.
        let mut pair_ratios: Vec<f64> = disks
            .iter()
            .zip(&cps)
            .map(|(d, c)| d.as_secs_f64() / c.as_secs_f64())
            .collect();
        pair_ratios.sort_by(f64::total_cmp);
        let pair_ratio = pair_ratios[pair_ratios.len() / 2];
        let (disk, cp) = (median(disks), median(cps));
        let (files, bytes) = tree_size(&out);
        println!(
            "output: {files} files, {:.1} MB",
            bytes as f64 / 1_048_576.0
        );
        println!("full build to disk (process)   {:>10}", ms(disk));

        remove(&copy);
        println!(
            "cp -r of that output           {:>10}   build/cp = {:.2} (median of the {} pairs' ratios {:.2}: {})",
            ms(cp),
            disk.as_secs_f64() / cp.as_secs_f64(),
            pair_ratios.len(),
            pair_ratio,
            pair_ratios
                .iter()
                .map(|r| format!("{r:.2}"))
                .collect::<Vec<_>>()
                .join(" ")
        );

        // The same build and write in this process: without the final
        // syncfs, then with it, without and with early writeback.
        let in_process = |sync: bool, early_writeback: bool| {
            let mut synced = Vec::new();
            let total = time_runs(
                runs,
                || remove(&out),
                || {
                    let o = write::WriteOptions {
                        sync,
                        early_writeback,
                    };
                    synced.push(build_with(&opts, o).expect("build").synced);
                },
            );
            (total, median(synced))
        };
        let (nosync, _) = in_process(false, false);
        println!(
            "build + write without syncfs   {:>10}   (in process)/cp = {:.2}",
            ms(nosync),
            nosync.as_secs_f64() / cp.as_secs_f64()
        );
        let (late, late_sync) = in_process(true, false);
        println!(
            "build + write + syncfs         {:>10}   (in process)/cp = {:.2}, syncfs {}",
            ms(late),
            late.as_secs_f64() / cp.as_secs_f64(),
            ms(late_sync)
        );
        let (early, early_sync) = in_process(true, true);
        println!(
            "  with early writeback         {:>10}   (in process)/cp = {:.2}, syncfs {}",
            ms(early),
            early.as_secs_f64() / cp.as_secs_f64(),
            ms(early_sync)
        );

        match peak_memory(&bin, &root, &out) {
            Some(mb) => println!("peak memory (build process)    {mb:>7.0} MB"),
            None => println!("peak memory: /usr/bin/time not found, skipped"),
        }

        // The built site is freed before the next run, outside the timing:
        // the figure is the time to have the site in memory.
        let built = std::cell::Cell::new(None);
        let memory = time_runs(
            runs,
            || drop(built.take()),
            || built.set(Some(build_in_memory(&opts).expect("build"))),
        );
        drop(built);
        println!("in-memory build (library)      {:>10}", ms(memory));

        // Rebuilds onto the existing output, as watch mode does.
        let talk = first_talk(&root);
        let original = std::fs::read_to_string(&talk).unwrap();
        let mut edit = 0u32;
        let mut buffer = DoubleBuffer::new(&out, write::WriteOptions::default());
        let (edited, edited_memory) = rebuilds(runs, &opts, &mut buffer, || {
            edit += 1;
            std::fs::write(&talk, format!("{original}\nEdited {edit} times.\n")).unwrap();
        });
        std::fs::write(&talk, &original).unwrap();
        let built = build_in_memory(&opts).expect("build");
        buffer.publish(Arc::new(built.output)).expect("publish");
        println!(
            "rebuild after one talk edit    {:>10}   (in memory {}, publish {})",
            ms(edited),
            ms(edited_memory),
            ms(edited.saturating_sub(edited_memory))
        );
        let (noop, noop_memory) = rebuilds(runs, &opts, &mut buffer, || {});
        drop(buffer);
        println!(
            "no-op rebuild                  {:>10}   (in memory {}, publish {})",
            ms(noop),
            ms(noop_memory),
            ms(noop.saturating_sub(noop_memory))
        );

        if let (Some(h), Some(p)) = (&hugo, &peer) {
            let content = root.join("content");
            let hm = hugo_median(p, h, &content, runs, None);
            println!(
                "hugo in memory                 {:>10}   hugo/programme = {:.1}x",
                ms(hm),
                hm.as_secs_f64() / memory.as_secs_f64()
            );
            let hugo_out = work.join(format!("hugo-{n}"));
            let hd = hugo_median(p, h, &content, runs, Some(&hugo_out));
            remove(&hugo_out);
            println!(
                "hugo to disk                   {:>10}   hugo/programme = {:.1}x",
                ms(hd),
                hd.as_secs_f64() / disk.as_secs_f64()
            );
        }
        remove(&out);
    }
}

/// Medians of the whole rebuild (in-memory build plus publish onto the
/// existing output) and of its in-memory part; `change` runs untimed first.
fn rebuilds(
    runs: usize,
    opts: &Options,
    buffer: &mut DoubleBuffer,
    mut change: impl FnMut(),
) -> (Duration, Duration) {
    let (mut total, mut memory) = (Vec::new(), Vec::new());
    for i in 0..=runs {
        change();
        let started = Instant::now();
        let built = build_in_memory(opts).expect("build");
        let built_at = started.elapsed();
        buffer.publish(Arc::new(built.output)).expect("publish");
        if i > 0 {
            total.push(started.elapsed());
            memory.push(built_at);
        }
    }
    (median(total), median(memory))
}

fn first_talk(root: &Path) -> PathBuf {
    let mut talks: Vec<PathBuf> = std::fs::read_dir(root.join("content/talks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    talks.sort();
    talks.swap_remove(0)
}

fn tree_size(dir: &Path) -> (usize, u64) {
    let (mut files, mut bytes) = (0, 0);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                stack.push(e.path());
            } else {
                files += 1;
                bytes += meta.len();
            }
        }
    }
    (files, bytes)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string())
}
