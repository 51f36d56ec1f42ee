//! The CSV the app writes, for Polish Excel.

/// CSV as Polish Excel opens it: UTF-8 with a byte order mark, `;` between
/// fields, CRLF line ends. A field that would start a formula gets a `'`.
pub fn csv(rows: &[Vec<String>]) -> String {
    let mut out = String::from('\u{feff}');
    for row in rows {
        let fields: Vec<String> = row
            .iter()
            .map(|field| {
                let field = if field.starts_with(['=', '+', '-', '@']) {
                    format!("'{field}")
                } else {
                    field.clone()
                };
                if field.contains([';', '"', '\n', '\r']) {
                    format!("\"{}\"", field.replace('"', "\"\""))
                } else {
                    field
                }
            })
            .collect();
        out.push_str(&fields.join(";"));
        out.push_str("\r\n");
    }
    out
}
