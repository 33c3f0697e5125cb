//! Where the REPL keeps its history between sessions.

use std::path::PathBuf;

/// The history file: `$SYMGRAD_HISTORY`, else `$XDG_STATE_HOME/symgrad/history`,
/// else `~/.local/state/symgrad/history`. `None` when there is no home.
pub fn history_path(var: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let set = |name: &str| var(name).filter(|v| !v.is_empty());
    if let Some(path) = set("SYMGRAD_HISTORY") {
        return Some(PathBuf::from(path));
    }
    // The XDG spec says to ignore relative paths.
    let state = set("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| set("HOME").map(|home| PathBuf::from(home).join(".local/state")))?;
    Some(state.join("symgrad").join("history"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(vars: &[(&str, &str)]) -> Option<PathBuf> {
        history_path(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn explicit_file_wins() {
        let vars = [
            ("SYMGRAD_HISTORY", "/tmp/h"),
            ("XDG_STATE_HOME", "/s"),
            ("HOME", "/home/u"),
        ];
        assert_eq!(path(&vars), Some(PathBuf::from("/tmp/h")));
    }

    #[test]
    fn xdg_state_then_home() {
        let vars = [("XDG_STATE_HOME", "/s"), ("HOME", "/home/u")];
        assert_eq!(path(&vars), Some(PathBuf::from("/s/symgrad/history")));
        let vars = [("XDG_STATE_HOME", "relative"), ("HOME", "/home/u")];
        assert_eq!(
            path(&vars),
            Some(PathBuf::from("/home/u/.local/state/symgrad/history"))
        );
        assert_eq!(path(&[("SYMGRAD_HISTORY", "")]), None);
    }
}
