//! The `programme` command line: parses arguments into validated options,
//! calls the library, prints diagnostics and maps the outcome to an exit code
//! (0 done, 1 content errors, 2 usage).

use clap::{Parser, Subcommand, ValueEnum};
use programme::diagnostic::Diagnostics;
use programme::Options;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "programme",
    version,
    about = "Builds a conference programme website and calendar feeds from Markdown"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct SiteArgs {
    /// The site root, holding content/ and optionally themes/
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Include talks marked `draft: true`
    #[arg(long)]
    drafts: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Build content/ into the output folder (public/ by default)
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// The output folder [default: ROOT/public]
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// A previously published schedule.ics to continue SEQUENCE numbers from
        /// [default: OUTPUT/schedule.ics]
        #[arg(long, value_name = "FILE")]
        previous_feed: Option<PathBuf>,
        /// Rebuild whenever content/, themes/ or conference.yaml change
        #[arg(long)]
        watch: bool,
        /// With --watch: poll the file system instead of using OS events
        #[arg(long, requires = "watch")]
        poll: bool,
    },
    /// Check the content and report every problem, without writing anything
    Check {
        #[command(flatten)]
        site: SiteArgs,
        /// Treat warnings as errors (exit 1)
        #[arg(long)]
        deny_warnings: bool,
        /// human (default) or json, for editors and CI
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Build, serve the site locally and rebuild and reload on every change
    Serve {
        #[command(flatten)]
        site: SiteArgs,
        /// The output folder [default: ROOT/public]
        #[arg(long, short)]
        output: Option<PathBuf>,
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// The address to listen on; loopback unless you say otherwise
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the site in a browser
        #[arg(long)]
        open: bool,
        /// Poll the file system instead of using OS events (network and container file systems)
        #[arg(long)]
        poll: bool,
    },
    /// Create a new programme in DIR that builds at once
    Init { dir: PathBuf },
    /// Convert a frab/pentabarf schedule.xml or a pretalx/frab schedule.json into content/
    Import {
        file: PathBuf,
        /// The site root to write content/ into
        #[arg(long, default_value = ".")]
        into: PathBuf,
        /// The IANA time zone, for sources that do not give one
        #[arg(long)]
        timezone: Option<String>,
        /// Replace an existing content/
        #[arg(long)]
        force: bool,
    },
    /// Write a synthetic programme of N talks (for benchmarks)
    #[command(hide = true)]
    Generate {
        talks: usize,
        dir: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Give every talk a time and a room (no unscheduled talks)
        #[arg(long)]
        all_scheduled: bool,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            site,
            output,
            previous_feed,
            watch,
            poll,
        } => {
            let opts = Options {
                root: site.root,
                output,
                drafts: site.drafts,
                previous_feed,
            };
            if watch {
                return exit(programme::serve::watch(&opts, poll));
            }
            match programme::build(&opts) {
                Ok(report) => {
                    print_diagnostics(&report.diagnostics);
                    println!("{}", report.summary());
                    ExitCode::SUCCESS
                }
                Err(d) => {
                    print_diagnostics(&d);
                    eprintln!(
                        "build failed: {} error(s); the output folder was not changed",
                        d.errors().count()
                    );
                    ExitCode::from(1)
                }
            }
        }
        Command::Check {
            site,
            deny_warnings,
            format,
        } => {
            let mut opts = Options::new(site.root);
            opts.drafts = site.drafts;
            let diagnostics = match programme::load_programme(&opts) {
                Ok((_, d)) | Err(d) => d,
            };
            match format {
                Format::Human => {
                    print_diagnostics(&diagnostics);
                    eprintln!("{}", diagnostics.summary());
                }
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&diagnostics.to_json())
                        .expect("diagnostics serialise")
                ),
            }
            let failed = diagnostics.has_errors() || (deny_warnings && !diagnostics.is_empty());
            ExitCode::from(u8::from(failed))
        }
        Command::Serve {
            site,
            output,
            port,
            bind,
            open,
            poll,
        } => {
            let opts = Options {
                root: site.root,
                output,
                drafts: site.drafts,
                previous_feed: None,
            };
            exit(programme::serve::serve(
                &opts,
                &programme::serve::ServeOptions {
                    port,
                    bind,
                    open,
                    poll,
                },
            ))
        }
        Command::Init { dir } => match programme::init::scaffold(&dir) {
            Ok(()) => {
                println!(
                    "created a programme in {}; build it with `programme build --root {}`",
                    dir.display(),
                    dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        },
        Command::Import {
            file,
            into,
            timezone,
            force,
        } => {
            let opts = programme::import::ImportOptions {
                file,
                into,
                timezone,
                force,
            };
            match programme::import::run(&opts) {
                Ok(imported) => {
                    print_diagnostics(&imported.warnings);
                    println!("{}", imported.summary);
                    ExitCode::SUCCESS
                }
                Err(d) => {
                    print_diagnostics(&d);
                    ExitCode::from(1)
                }
            }
        }
        Command::Generate {
            talks,
            dir,
            seed,
            all_scheduled,
        } => match programme::synth::generate_with(talks, seed, &dir, !all_scheduled) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        },
    }
}

fn exit(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn print_diagnostics(d: &Diagnostics) {
    for diag in d.iter() {
        eprintln!("{diag}");
    }
}
