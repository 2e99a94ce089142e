//! The system clipboard, through arboard.
//!
//! On X11 and Wayland the clipboard holds no text of its own: the program that copied must
//! keep answering requests for it, or the text is gone when it exits. So a command-line copy
//! hands the text to a copy of this program running in the background (as `xclip` does),
//! which serves it until another program takes the clipboard over, and returns once that
//! copy holds it.

use std::io::{BufRead as _, Read as _, Write as _};

/// Why the clipboard could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ClipboardError {
    /// No clipboard here (no display server), or it refused.
    #[error("no clipboard is available here ({0})")]
    Unavailable(String),
    /// The background copy that keeps the text could not be started or did not take it.
    #[error("the clipboard could not be kept after this command ends ({0})")]
    Server(String),
}

/// The hidden argument that makes the program serve the clipboard (see [`serve`]).
pub const SERVE_ARG: &str = "__serve-clipboard";

fn unavailable(e: impl std::fmt::Display) -> ClipboardError {
    let hint = if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        "neither DISPLAY nor WAYLAND_DISPLAY is set".to_owned()
    } else {
        e.to_string()
    };
    ClipboardError::Unavailable(hint)
}

/// Puts text on the clipboard so that it stays there after this process exits.
pub fn copy_and_keep(text: &str) -> Result<(), ClipboardError> {
    // Fail early, with the plain reason, where there is no clipboard at all.
    let mut probe = arboard::Clipboard::new().map_err(unavailable)?;
    if !cfg!(target_os = "linux") {
        // Elsewhere the system keeps the text.
        return probe.set_text(text).map_err(unavailable);
    }
    drop(probe);
    let exe = std::env::current_exe().map_err(|e| ClipboardError::Server(e.to_string()))?;
    let mut child = std::process::Command::new(exe)
        .arg(SERVE_ARG)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| ClipboardError::Server(e.to_string()))?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| ClipboardError::Server("no pipe to it".to_owned()))?;
    stdin
        .write_all(text.as_bytes())
        .map_err(|e| ClipboardError::Server(e.to_string()))?;
    drop(stdin);
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| ClipboardError::Server("no pipe from it".to_owned()))?;
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| ClipboardError::Server(e.to_string()))?;
    match line.trim() {
        "ready" => Ok(()),
        "" => Err(ClipboardError::Server("it ended without a word".to_owned())),
        other => Err(ClipboardError::Unavailable(other.to_owned())),
    }
}

/// The background copy: reads the text from standard input, takes the clipboard, says
/// "ready" on standard output, and serves the text until another program takes the
/// clipboard over. Returns the process's exit code.
pub fn serve() -> u8 {
    let mut text = String::new();
    if std::io::stdin().read_to_string(&mut text).is_err() {
        return 2;
    }
    let mut clipboard = match arboard::Clipboard::new() {
        Ok(c) => c,
        Err(e) => {
            println!("{e}");
            return 2;
        }
    };
    if let Err(e) = clipboard.set_text(text.clone()) {
        println!("{e}");
        return 2;
    }
    println!("ready");
    std::io::stdout().flush().ok();
    serve_until_replaced(&mut clipboard, &text);
    0
}

#[cfg(target_os = "linux")]
fn serve_until_replaced(clipboard: &mut arboard::Clipboard, text: &str) {
    // arboard answers other programs' requests on its own thread while `clipboard` lives.
    // Ask now and then what the clipboard holds: once it is something else (another program
    // copied) or nothing, the text is no longer ours to serve. (Waiting for arboard's
    // "ownership lost" signal did not return when xclip took the clipboard over.)
    loop {
        std::thread::sleep(std::time::Duration::from_millis(250));
        match clipboard.get_text() {
            Ok(now) if now == text => {}
            _ => return,
        }
    }
}

/// Reads text from the clipboard.
pub fn read() -> Result<String, ClipboardError> {
    arboard::Clipboard::new()
        .and_then(|mut c| c.get_text())
        .map_err(unavailable)
}
