//! A profile field's text parsed into its type, with the rule that holds it named in the
//! error.

use crate::profile::ProfileError;

/// `text` parsed, or the error naming the profile, the rule and its number.
pub(super) fn parse_field<T: std::str::FromStr<Err = String>>(
    text: &str,
    profile: &str,
    rule: &str,
    n: usize,
) -> Result<T, ProfileError> {
    text.parse().map_err(|message| ProfileError {
        source_name: profile.to_string(),
        message: format!("[[{rule}]] #{}: {message}", n + 1),
    })
}

/// `parse_field` of a field that may be absent.
pub(super) fn parse_optional<T: std::str::FromStr<Err = String>>(
    text: Option<&str>,
    profile: &str,
    rule: &str,
    n: usize,
) -> Result<Option<T>, ProfileError> {
    text.map(|t| parse_field(t, profile, rule, n)).transpose()
}
