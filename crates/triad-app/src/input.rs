//! Reading what people send, wherever it comes from (a page's form, the API's JSON, a
//! spreadsheet's cell), into the values services take.

/// A form checkbox (sent or not) or a JSON boolean, read as one boolean.
pub fn checkbox<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Either {
        Bool(bool),
        Text(String),
    }
    Ok(match <Either as serde::Deserialize>::deserialize(d)? {
        Either::Bool(b) => b,
        Either::Text(t) => !t.is_empty() && t != "false",
    })
}

/// One part of a `multipart/form-data` body: a field or an uploaded file.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub bytes: bytes::Bytes,
}

impl Part {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// The text fields of a multipart form read as a form struct (files are left out).
pub fn text_fields<T: serde::de::DeserializeOwned>(parts: &[Part]) -> crate::AppResult<T> {
    let pairs: Vec<(String, String)> = parts
        .iter()
        .filter(|p| p.file_name.is_none())
        .map(|p| (p.name.clone(), p.text()))
        .collect();
    serde_urlencoded::to_string(&pairs)
        .ok()
        .and_then(|encoded| serde_urlencoded::from_str(&encoded).ok())
        .ok_or_else(|| crate::AppError::Unreadable("the form could not be read".into()))
}
