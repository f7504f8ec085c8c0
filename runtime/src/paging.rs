//! Streams of pages and items for every paginated method.
//!
//! A generated call implements [`Paginated`] in a few lines (how to set the
//! token, where the next token and the items are); the streams are written
//! once here. They are lazy — nothing is sent until polled — and end when
//! the server stops returning a token (or repeats one, which would loop).

use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;

use crate::auth::BoxFuture;
use crate::CompactString;
use crate::Error;

/// A call that can fetch successive pages.
pub trait Paginated: Clone + Send + 'static {
    /// The response type of one page.
    type Page: DeserializeOwned + Send + 'static;
    /// The element type of the page's list field.
    type Item: Send + 'static;

    /// Sets the page token for the next request.
    fn set_page_token(&mut self, token: CompactString);
    /// The token of the page after `page`, if any.
    fn next_page_token(page: &Self::Page) -> Option<CompactString>;
    /// Moves the items out of a page.
    fn into_items(page: Self::Page) -> Vec<Self::Item>;
    /// Sends the call for one page.
    fn fetch_page(self) -> BoxFuture<'static, Result<Self::Page, Error>>;
}

/// Every page, starting with the call's current page token.
pub fn pages<C: Paginated>(call: C) -> BoxStream<'static, Result<C::Page, Error>> {
    enum State<C> {
        Next(C, Option<CompactString>),
        Done,
    }
    stream::try_unfold(State::Next(call, None), |state| async move {
        let State::Next(call, previous) = state else {
            return Ok(None);
        };
        let page = call.clone().fetch_page().await?;
        let next = match C::next_page_token(&page) {
            Some(token) if !token.is_empty() && previous.as_deref() != Some(token.as_str()) => {
                let mut call = call;
                call.set_page_token(token.clone());
                State::Next(call, Some(token))
            }
            _ => State::Done,
        };
        Ok(Some((page, next)))
    })
    .boxed()
}

/// Every item of every page.
pub fn items<C: Paginated>(call: C) -> BoxStream<'static, Result<C::Item, Error>> {
    pages(call)
        .map_ok(|page| stream::iter(C::into_items(page).into_iter().map(Ok)))
        .try_flatten()
        .boxed()
}
