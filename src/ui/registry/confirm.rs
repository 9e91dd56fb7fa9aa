//! A confirmation before something that cannot be undone (deleting a model or a
//! version), with the refusal shown in place.

use leptos::prelude::*;

/// A modal question: `title`, `message`, and a danger button `action` that runs
/// `on_confirm` (Escape or Cancel runs `on_cancel`). `busy` disables the buttons while
/// the change commits; `error` is shown under the message.
#[component]
pub fn Confirm(
    #[prop(into)] title: String,
    #[prop(into)] message: String,
    action: &'static str,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
    #[prop(into)] busy: Signal<bool>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let cancel = NodeRef::<leptos::html::Button>::new();
    // The safe choice has the focus.
    Effect::new(move |_| {
        if let Some(b) = cancel.get() {
            let _ = b.focus();
        }
    });
    view! {
        <div class="dialog-backdrop" on:click=move |_| on_cancel.run(())></div>
        <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="confirm-title"
            aria-describedby="confirm-message"
            on:keydown=move |ev| if ev.key() == "Escape" { on_cancel.run(()) }>
            <h2 id="confirm-title">{title}</h2>
            <p id="confirm-message">{message}</p>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="form-actions">
                <button type="button" class="danger-fill" disabled=move || busy.get()
                    on:click=move |_| on_confirm.run(())>{action}</button>
                <button type="button" node_ref=cancel disabled=move || busy.get()
                    on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </div>
    }
}
