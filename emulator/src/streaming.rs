//! Answers sent piece by piece: a response body fed by a channel, so a
//! streamed answer's events go out with pauses between them (and can be
//! held, or cut off mid-stream, by a test).

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body as HttpBody, Frame};
use hyper::Response;

/// The body of every emulator answer: whole, or streamed.
pub(crate) type AnyBody = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;

/// A whole answer as an [`AnyBody`].
pub(crate) fn whole(response: Response<crate::http_util::Body>) -> Response<AnyBody> {
    response.map(|body| body.map_err(|never: Infallible| match never {}).boxed())
}

/// Every byte `body` gives, and whether it then failed (rather than ended).
pub(crate) async fn read_until_failure(mut body: AnyBody) -> (Bytes, bool) {
    let mut bytes = bytes::BytesMut::new();
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(frame) => {
                if let Some(data) = frame.data_ref() {
                    bytes.extend_from_slice(data);
                }
            }
            Err(_) => return (bytes.freeze(), true),
        }
    }
    (bytes.freeze(), false)
}

/// What a streaming task sends.
pub(crate) enum Piece {
    /// Bytes of the answer.
    Data(Bytes),
    /// Drop the connection here, mid-answer.
    Cut,
}

/// A body fed by a channel.
struct ChannelBody(tokio::sync::mpsc::Receiver<Piece>);

impl HttpBody for ChannelBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.0.poll_recv(cx) {
            Poll::Ready(Some(Piece::Data(bytes))) => Poll::Ready(Some(Ok(Frame::data(bytes)))),
            Poll::Ready(Some(Piece::Cut)) => Poll::Ready(Some(Err(std::io::Error::other(
                "the gapi emulator cut this answer midway (Fault::CutStream, DropMidBody or a drip of either)",
            )))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Whether streams are held after their first piece (see
/// `Emulator::hold_streams`).
pub(crate) type Hold = tokio::sync::watch::Receiver<bool>;

/// A `200` answer of `content_type` whose pieces go out one by one, `gap`
/// apart; after the first piece, while `hold` is set, the rest waits. With
/// `cut_after: Some(n)`, the connection drops after the `n`th piece (after
/// the last, when there are no more): the body fails rather than ends.
pub(crate) fn respond(
    content_type: &'static str,
    pieces: Vec<Bytes>,
    gap: Duration,
    mut hold: Hold,
    cut_after: Option<usize>,
) -> Response<AnyBody> {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        let count = pieces.len();
        for (n, piece) in pieces.into_iter().enumerate() {
            if n > 0 {
                // A dropped emulator (sender gone) ends the wait too.
                let _ = hold.wait_for(|held| !*held).await;
                tokio::time::sleep(gap).await;
                if cut_after == Some(n) {
                    let _ = tx.send(Piece::Cut).await;
                    return;
                }
            }
            if tx.send(Piece::Data(piece)).await.is_err() {
                return; // the client went away
            }
        }
        if cut_after.is_some_and(|n| n >= count) {
            tokio::time::sleep(gap).await;
            let _ = tx.send(Piece::Cut).await;
        }
    });
    let mut response = Response::new(ChannelBody(rx).boxed());
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(content_type),
    );
    response
}
