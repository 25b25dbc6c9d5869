//! Serving: watch the site, rebuild everything in memory on each change,
//! swap the output in, serve it over HTTP and tell open tabs to reload.

use crate::Options;

pub struct ServeOptions {
    pub port: u16,
    pub bind: std::net::IpAddr,
    pub open: bool,
    pub poll: bool,
}

/// `programme serve`.
pub fn serve(opts: &Options, serve: &ServeOptions) -> Result<(), String> {
    let _ = (opts, serve);
    Err("serve is not built yet".into())
}

/// `programme build --watch`.
pub fn watch(opts: &Options, poll: bool) -> Result<(), String> {
    let _ = (opts, poll);
    Err("watch is not built yet".into())
}
