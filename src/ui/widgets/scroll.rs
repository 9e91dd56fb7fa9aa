//! What a virtualized list needs to know of its scroller: how far it is scrolled and
//! how tall it is, kept up to date on mount, on window resizes and on its scrolls.

use leptos::ev;
use leptos::prelude::*;

/// The scroller's position and height.
#[derive(Clone, Copy)]
pub struct ScrollViewport {
    /// `scrollTop` (px).
    pub top: RwSignal<f64>,
    /// `clientHeight` (px; a guess until measured).
    pub height: RwSignal<f64>,
    scroller: NodeRef<leptos::html::Div>,
}

impl ScrollViewport {
    /// Follows `scroller` (measured once mounted and on every window resize); call
    /// [`ScrollViewport::measure`] from its `on:scroll`.
    pub fn follow(scroller: NodeRef<leptos::html::Div>) -> Self {
        let me = ScrollViewport {
            top: RwSignal::new(0.0),
            height: RwSignal::new(900.0),
            scroller,
        };
        Effect::new(move |_| {
            if scroller.get().is_some() {
                me.measure();
            }
        });
        let resize = window_event_listener(ev::resize, move |_| me.measure());
        on_cleanup(move || resize.remove());
        me
    }

    /// Reads the scroller's position and height now.
    pub fn measure(&self) {
        if let Some(el) = self.scroller.get_untracked() {
            self.top.set(el.scroll_top() as f64);
            let h = el.client_height() as f64;
            if h > 0.0 {
                self.height.set(h);
            }
        }
    }
}
