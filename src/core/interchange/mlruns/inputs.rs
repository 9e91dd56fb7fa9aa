//! Run inputs and outputs as MLflow's file store writes them (FORMAT.md §5.7), for
//! importers of other stores: `<exp>/datasets/<id>/meta.yaml`, the run's
//! `inputs/<id>/meta.yaml` and `outputs/<model_id>/meta.yaml`, with MLflow's folder ids
//! (`FileStore._get_dataset_id` and friends: MD5 hex digests of the joined names).

use super::yaml::YamlWriter;

/// A dataset as `mlflow.entities.Dataset` holds it.
pub struct DatasetMeta<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its digest.
    pub digest: &'a str,
    /// `local`, `http`, `code`, …
    pub source_type: Option<&'a str>,
    /// The source, as JSON text.
    pub source: Option<&'a str>,
    /// The schema, as JSON text.
    pub schema: Option<&'a str>,
    /// The profile, as JSON text.
    pub profile: Option<&'a str>,
}

/// The folder name of a dataset in its experiment's `datasets/`.
pub fn dataset_id(name: &str, digest: &str) -> String {
    md5_hex(&[name.as_bytes(), digest.as_bytes()])
}

/// The folder name of a dataset input in its run's `inputs/`.
pub fn dataset_input_id(dataset_id: &str, run_id: &str) -> String {
    md5_hex(&[dataset_id.as_bytes(), run_id.as_bytes()])
}

/// The folder name of a logged-model input in its run's `inputs/`.
pub fn model_input_id(model_id: &str, run_id: &str) -> String {
    md5_hex(&[model_id.as_bytes(), run_id.as_bytes()])
}

/// `<exp>/datasets/<dataset_id>/meta.yaml` (`dict(dataset)`, keys sorted).
pub fn dataset_meta(d: &DatasetMeta<'_>) -> Vec<u8> {
    YamlWriter::default()
        .str("digest", d.digest)
        .str("name", d.name)
        .opt_str("profile", d.profile)
        .opt_str("schema", d.schema)
        .opt_str("source", d.source)
        .opt_str("source_type", d.source_type)
        .finish()
}

/// `<run>/inputs/<dataset_input_id>/meta.yaml`; MLflow writes the dataset id as the
/// destination too, and reads only the source.
pub fn dataset_input_meta<'t>(
    dataset_id: &str,
    tags: impl IntoIterator<Item = (&'t str, &'t str)>,
) -> Vec<u8> {
    YamlWriter::default()
        .str("destination_id", dataset_id)
        .raw("destination_type", "RUN")
        .str("source_id", dataset_id)
        .raw("source_type", "DATASET")
        .str_map("tags", tags)
        .finish()
}

/// `<run>/inputs/<model_input_id>/meta.yaml` for a logged model the run used.
pub fn model_input_meta(model_id: &str) -> Vec<u8> {
    YamlWriter::default()
        .str("destination_id", model_id)
        .raw("destination_type", "RUN")
        .str("source_id", model_id)
        .raw("source_type", "MODEL")
        .raw("tags", "{}")
        .finish()
}

/// `<run>/outputs/<model_id>/meta.yaml` for a logged model the run produced (MLflow
/// reads the model id from `destination_id`).
pub fn model_output_meta(model_id: &str, step: i64) -> Vec<u8> {
    YamlWriter::default()
        .str("destination_id", model_id)
        .raw("destination_type", "MODEL_OUTPUT")
        .str("source_id", model_id)
        .raw("source_type", "RUN_OUTPUT")
        .int("step", Some(step))
        .raw("tags", "{}")
        .finish()
}

/// MD5 (RFC 1321) of the concatenated parts, as lowercase hex.
fn md5_hex(parts: &[&[u8]]) -> String {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5,
        9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10,
        15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    // K[i] = floor(|sin(i + 1)| * 2^32), computed rather than listed.
    let k: Vec<u32> = (0..64)
        .map(|i| ((f64::from(i + 1)).sin().abs() * 4_294_967_296.0) as u32)
        .collect();
    let mut msg: Vec<u8> = parts.concat();
    let bits = (msg.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_le_bytes());
    let mut h: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    for block in msg.chunks_exact(64) {
        let m: Vec<u32> = block
            .chunks_exact(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect();
        let [mut a, mut b, mut c, mut d] = h;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(k[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(S[i]));
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d]) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter()
        .flat_map(|w| w.to_le_bytes())
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_matches_rfc_1321_and_mlflows_folder_ids() {
        assert_eq!(md5_hex(&[b""]), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex(&[b"abc"]), "900150983cd24fb0d6963f7d28e17f72");
        let long =
            b"12345678901234567890123456789012345678901234567890123456789012345678901234567890";
        assert_eq!(md5_hex(&[long]), "57edf4a22be3c955ac49da2e2107b67a");
        // tests/fixtures/v3extras.zip: mlruns/508712963410649876/datasets/d6df…/ holds
        // name train-set, digest b064d295.
        assert_eq!(
            dataset_id("train-set", "b064d295"),
            "d6df6cca9da138bb0ff20c1038cac7bc"
        );
    }

    #[test]
    fn input_files_are_what_mlflow_writes() {
        let meta = dataset_input_meta("d6df", [("mlflow.data.context", "training")]);
        assert_eq!(
            String::from_utf8(meta).unwrap(),
            "destination_id: d6df\ndestination_type: RUN\nsource_id: d6df\nsource_type: DATASET\n\
             tags:\n  mlflow.data.context: training\n"
        );
        let out = String::from_utf8(model_output_meta("m-1", 3)).unwrap();
        assert_eq!(
            out,
            "destination_id: m-1\ndestination_type: MODEL_OUTPUT\nsource_id: m-1\nsource_type: \
             RUN_OUTPUT\nstep: 3\ntags: {}\n"
        );
    }
}
