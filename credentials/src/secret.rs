//! Secret newtypes: redacted `Debug`, no `Display`, zeroized on drop. The
//! value comes out only through `secret()`, so it cannot reach a log by
//! accident.

use std::fmt;

use zeroize::Zeroizing;

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(Zeroizing<String>);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                $name(Zeroizing::new(value.into()))
            }

            /// The secret itself. Keep it out of logs and errors.
            pub fn secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret_type!(
    /// An OAuth 2.0 access token.
    AccessToken
);
secret_type!(
    /// An OAuth 2.0 refresh token.
    RefreshToken
);
secret_type!(
    /// An OAuth 2.0 client secret.
    ClientSecret
);
secret_type!(
    /// A Google API key.
    ApiKeySecret
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_is_redacted() {
        assert_eq!(
            format!("{:?}", AccessToken::new("ya29.secret")),
            "AccessToken([redacted])"
        );
        assert_eq!(
            format!("{:?}", RefreshToken::new("1//x")),
            "RefreshToken([redacted])"
        );
        assert_eq!(
            format!("{:?}", ClientSecret::new("GOCSPX")),
            "ClientSecret([redacted])"
        );
        assert_eq!(
            format!("{:?}", ApiKeySecret::new("AIza")),
            "ApiKeySecret([redacted])"
        );
        assert_eq!(AccessToken::new("ya29.secret").secret(), "ya29.secret");
    }
}
