//! Light and dark themes. CSS follows `prefers-color-scheme` by default; a choice
//! made with the header toggle is kept in localStorage and set as `data-theme` on
//! `<html>`, which the tokens in `style/tokens.css` obey over the system setting.

const KEY: &str = "ferroflow-theme";

/// A theme the user can pick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    /// Dark text on light panels.
    Light,
    /// Light text on dark panels.
    Dark,
}

impl Theme {
    fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }

    /// The other theme.
    pub fn toggled(self) -> Self {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The user's stored choice, if any.
pub fn stored() -> Option<Theme> {
    Theme::parse(&storage()?.get_item(KEY).ok().flatten()?)
}

/// What the system asks for.
pub fn system() -> Theme {
    let dark = web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches());
    if dark {
        Theme::Dark
    } else {
        Theme::Light
    }
}

/// The theme on screen now.
pub fn current() -> Theme {
    stored().unwrap_or_else(system)
}

fn set_attribute(theme: Option<Theme>) {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let _ = match theme {
        Some(t) => root.set_attribute("data-theme", t.as_str()),
        None => root.remove_attribute("data-theme"),
    };
}

/// Applies the stored choice (at start-up).
pub fn apply_stored() {
    set_attribute(stored());
}

/// Stores and applies `theme`. Picking what the system shows anyway forgets the
/// choice, so the page keeps following the system from then on.
pub fn choose(theme: Theme) {
    let Some(s) = storage() else {
        set_attribute(Some(theme));
        return;
    };
    if theme == system() {
        let _ = s.remove_item(KEY);
        set_attribute(None);
    } else {
        let _ = s.set_item(KEY, theme.as_str());
        set_attribute(Some(theme));
    }
}
