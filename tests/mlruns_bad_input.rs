//! mlruns import refuses bad archives and broken stores with a message naming the entry or file (and line).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use ferroflow::core::interchange::mlruns::{
    import_archive, write_zip, ArchiveLimits, ImportError, ImportErrorKind,
};

const RUN: &str = "0123456789abcdef0123456789abcdef";

const EXP_META: &str =
    "artifact_location: file:///tmp/mlruns/1\ncreation_time: 1\nexperiment_id: '1'\n\
                        last_update_time: 1\nlifecycle_stage: active\nname: exp\n";

fn run_meta() -> String {
    format!(
        "artifact_uri: file:///tmp/mlruns/1/{RUN}/artifacts\nend_time: 2\nexperiment_id: '1'\n\
         lifecycle_stage: active\nrun_id: {RUN}\nrun_name: r\nstart_time: 1\nstatus: 3\n\
         user_id: u\n"
    )
}

/// A valid one-run store with `changes` applied (`None` removes a file).
fn store(changes: &[(&str, Option<&[u8]>)]) -> Vec<u8> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    files.insert("mlruns/1/meta.yaml".into(), EXP_META.into());
    files.insert(format!("mlruns/1/{RUN}/meta.yaml"), run_meta().into_bytes());
    files.insert(
        format!("mlruns/1/{RUN}/metrics/loss"),
        b"1 0.5 0\n".to_vec(),
    );
    for (path, data) in changes {
        let path = path.replace("RUN", RUN);
        match data {
            Some(d) => files.insert(path, d.to_vec()),
            None => files.remove(&path),
        };
    }
    write_zip(&files, &BTreeSet::new())
}

fn import(bytes: &[u8]) -> Result<ferroflow::core::interchange::Snapshot, ImportError> {
    import_archive(bytes, &ArchiveLimits::default())
}

fn err(bytes: &[u8]) -> ImportError {
    match import(bytes) {
        Ok(_) => panic!("import should fail"),
        Err(e) => e,
    }
}

/// A zip built byte by byte (stored entries), to make what a correct writer never
/// would: duplicates, traversal, links, names without the UTF-8 flag.
struct RawEntry<'a> {
    name: &'a [u8],
    data: &'a [u8],
    utf8_flag: bool,
    unix_mode: u32,
}

fn raw_zip(entries: &[RawEntry]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for e in entries {
        let offset = out.len() as u32;
        let crc = crc32fast::hash(e.data);
        let flags: u16 = if e.utf8_flag { 1 << 11 } else { 0 };
        let mut common = Vec::new();
        common.extend_from_slice(&20u16.to_le_bytes());
        common.extend_from_slice(&flags.to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes()); // stored
        common.extend_from_slice(&[0, 0, 0x21, 0]); // time, date
        common.extend_from_slice(&crc.to_le_bytes());
        common.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
        common.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
        common.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&common);
        out.extend_from_slice(e.name);
        out.extend_from_slice(e.data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&((3u16 << 8) | 20).to_le_bytes());
        central.extend_from_slice(&common);
        central.extend_from_slice(&[0; 6]); // comment len, disk, internal attrs
        central.extend_from_slice(&(e.unix_mode << 16).to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(e.name);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&[0; 2]);
    out
}

fn file<'a>(name: &'a str, data: &'a [u8]) -> RawEntry<'a> {
    RawEntry {
        name: name.as_bytes(),
        data,
        utf8_flag: true,
        unix_mode: 0o100_644,
    }
}

fn assert_names(e: &ImportError, kind: ImportErrorKind, what: &str) {
    assert_eq!(e.kind, kind, "{e}");
    assert!(e.to_string().contains(what), "'{what}' not in: {e}");
}

#[test]
fn truncated_zip() {
    let zip = store(&[]);
    let e = err(&zip[..zip.len() / 2]);
    assert_names(&e, ImportErrorKind::Corrupt, "truncated");
    assert!(
        e.to_string().contains("mlruns/"),
        "names where the data stops: {e}"
    );
}

#[test]
fn corrupt_zip_data() {
    let mut zip = raw_zip(&[file("mlruns/1/meta.yaml", EXP_META.as_bytes())]);
    zip[30 + "mlruns/1/meta.yaml".len() + 5] ^= 0xff; // inside the stored data
    assert_names(&err(&zip), ImportErrorKind::Corrupt, "mlruns/1/meta.yaml");
}

#[test]
fn non_archive_bytes() {
    let e = err(b"artifact_location: x\nname: not an archive\n");
    assert_eq!(e.kind, ImportErrorKind::NotAnArchive);
    assert_eq!(e.to_string(), "not a zip, tar or tar.gz archive");
}

#[test]
fn path_traversal_entry() {
    let zip = raw_zip(&[file("mlruns/1/meta.yaml", b"x"), file("../evil", b"x")]);
    assert_names(&err(&zip), ImportErrorKind::UnsafeEntry, "../evil");
    let zip = raw_zip(&[file("mlruns\\..\\..\\evil", b"x")]);
    assert_names(
        &err(&zip),
        ImportErrorKind::UnsafeEntry,
        "mlruns\\..\\..\\evil",
    );
}

#[test]
fn absolute_path_entry() {
    let zip = raw_zip(&[file("/etc/evil", b"x")]);
    assert_names(&err(&zip), ImportErrorKind::UnsafeEntry, "/etc/evil");
    let zip = raw_zip(&[file("C:\\evil", b"x")]);
    assert_names(&err(&zip), ImportErrorKind::UnsafeEntry, "C:\\evil");
}

fn tar_with(setup: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(EXP_META.len() as u64);
    h.set_mode(0o644);
    b.append_data(&mut h, "mlruns/1/meta.yaml", EXP_META.as_bytes())
        .unwrap();
    setup(&mut b);
    b.into_inner().unwrap()
}

#[test]
fn symlink_in_tar() {
    let tar = tar_with(|b| {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        b.append_link(&mut h, "mlruns/1/link", "/etc/passwd")
            .unwrap();
    });
    assert_names(&err(&tar), ImportErrorKind::UnsafeEntry, "mlruns/1/link");
    let tar = tar_with(|b| {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Link);
        h.set_size(0);
        b.append_link(&mut h, "mlruns/1/hard", "mlruns/1/meta.yaml")
            .unwrap();
    });
    assert_names(&err(&tar), ImportErrorKind::UnsafeEntry, "hard link");
}

#[test]
fn symlink_in_zip() {
    let mut link = file("mlruns/1/link", b"/etc/passwd");
    link.unix_mode = 0o120_777;
    let zip = raw_zip(&[file("mlruns/1/meta.yaml", b"x"), link]);
    assert_names(&err(&zip), ImportErrorKind::UnsafeEntry, "mlruns/1/link");
}

#[test]
fn traversal_in_tar() {
    let tar = tar_with(|b| {
        let mut h = tar::Header::new_old();
        h.as_old_mut().name[..9].copy_from_slice(b"../escape");
        h.set_size(1);
        h.set_mode(0o644);
        h.set_cksum();
        b.append(&h, &b"x"[..]).unwrap();
    });
    assert_names(&err(&tar), ImportErrorKind::UnsafeEntry, "../escape");
}

#[test]
fn duplicate_entry() {
    let zip = raw_zip(&[
        file("mlruns/1/meta.yaml", b"a"),
        file("mlruns/1/meta.yaml", b"b"),
    ]);
    assert_names(
        &err(&zip),
        ImportErrorKind::UnsafeEntry,
        "mlruns/1/meta.yaml",
    );
}

#[test]
fn garbage_yaml() {
    let zip = store(&[(
        "mlruns/1/meta.yaml",
        Some(b"name: exp\nexperiment_id: [unclosed\n"),
    )]);
    assert_names(
        &err(&zip),
        ImportErrorKind::Invalid,
        "mlruns/1/meta.yaml line ",
    );
}

#[test]
fn malformed_metric_line() {
    let mut text = "1700000000000 0.5 1\n".repeat(16);
    text.push_str("abc\n");
    let zip = store(&[("mlruns/1/RUN/metrics/loss", Some(text.as_bytes()))]);
    let e = err(&zip);
    assert_names(
        &e,
        ImportErrorKind::Invalid,
        &format!("mlruns/1/{RUN}/metrics/loss line 17: expected 'timestamp value step', got 'abc'"),
    );
    let zip = store(&[("mlruns/1/RUN/metrics/loss", Some(b"1 not-a-number 0\n"))]);
    assert_names(
        &err(&zip),
        ImportErrorKind::Invalid,
        "metrics/loss line 1: value 'not-a-number'",
    );
}

#[test]
fn empty_metric_file() {
    let zip = store(&[("mlruns/1/RUN/metrics/loss", Some(b""))]);
    assert_names(
        &err(&zip),
        ImportErrorKind::Invalid,
        &format!("mlruns/1/{RUN}/metrics/loss: empty metric file"),
    );
}

#[test]
fn missing_meta_yaml() {
    // MLflow skips an experiment folder without meta.yaml (with a warning): so do we.
    let zip = store(&[("mlruns/7/tags/x", Some(b"v"))]);
    let snap = import(&zip).expect("lenient like MLflow");
    assert_eq!(snap.experiments.len(), 1);
    assert!(snap
        .warnings
        .iter()
        .any(|w| w.contains("mlruns/7/") && w.contains("meta.yaml")));
    // …and a run folder without one.
    let zip = store(&[(
        &format!("mlruns/1/{}/metrics/x", "f".repeat(32)),
        Some(b"1 1 1"),
    )]);
    let snap = import(&zip).expect("lenient like MLflow");
    assert_eq!(snap.runs.len(), 1);
    assert!(
        snap.warnings.iter().any(|w| w.contains(&"f".repeat(32))),
        "{:?}",
        snap.warnings
    );
    // A folder MLflow would choke on (not an experiment id) is left out, with a word.
    let zip = store(&[("mlruns/.git/config", Some(b"[core]"))]);
    let snap = import(&zip).expect("the rest imports");
    assert!(
        snap.warnings.iter().any(|w| w.contains("mlruns/.git/")),
        "{:?}",
        snap.warnings
    );
    // No meta.yaml anywhere: not a store.
    let zip = store(&[
        ("mlruns/1/meta.yaml", None),
        ("mlruns/1/RUN/meta.yaml", None),
    ]);
    assert_eq!(err(&zip).kind, ImportErrorKind::NotAStore);
    // A run meta.yaml without a required key is an error MLflow has too.
    let meta = run_meta().replace("user_id: u\n", "");
    let zip = store(&[("mlruns/1/RUN/meta.yaml", Some(meta.as_bytes()))]);
    assert_names(&err(&zip), ImportErrorKind::Invalid, "user_id");
}

#[test]
fn status_as_string() {
    let meta = run_meta().replace("status: 3", "status: FINISHED");
    let zip = store(&[("mlruns/1/RUN/meta.yaml", Some(meta.as_bytes()))]);
    let e = err(&zip);
    assert_names(
        &e,
        ImportErrorKind::Invalid,
        &format!("mlruns/1/{RUN}/meta.yaml line 8"),
    );
    assert!(e.to_string().contains("FINISHED"), "{e}");
}

#[test]
fn start_time_not_an_int() {
    let meta = run_meta().replace("start_time: 1", "start_time: yesterday");
    let zip = store(&[("mlruns/1/RUN/meta.yaml", Some(meta.as_bytes()))]);
    assert_names(
        &err(&zip),
        ImportErrorKind::Invalid,
        &format!("{RUN}/meta.yaml line 7"),
    );
}

#[test]
fn invalid_key_and_mismatched_ids() {
    let zip = store(&[("mlruns/1/RUN/params/bad key!", Some(b"v"))]);
    assert_names(&err(&zip), ImportErrorKind::Invalid, "params/bad key!");
    let meta = run_meta().replace(
        &format!("run_id: {RUN}"),
        &format!("run_id: {}", "a".repeat(32)),
    );
    let zip = store(&[("mlruns/1/RUN/meta.yaml", Some(meta.as_bytes()))]);
    assert_names(
        &err(&zip),
        ImportErrorKind::Invalid,
        "does not match the folder",
    );
}

#[test]
fn decompression_bomb() {
    let limits = ArchiveLimits {
        max_total_bytes: 1 << 20,
        max_entries: 1000,
    };
    let zeros = vec![0u8; 8 << 20];
    let mut files = BTreeMap::new();
    files.insert(
        "mlruns/1/meta.yaml".to_string(),
        EXP_META.as_bytes().to_vec(),
    );
    files.insert("mlruns/1/bomb.bin".to_string(), zeros.clone());
    let zip = write_zip(&files, &BTreeSet::new());
    assert!(zip.len() < 64 << 10, "a small archive: {} bytes", zip.len());
    let e = import_archive(&zip, &limits).expect_err("bomb refused");
    assert_names(&e, ImportErrorKind::TooLarge, "mlruns/1/bomb.bin");

    let tar = tar_with(|b| {
        let mut h = tar::Header::new_gnu();
        h.set_size(zeros.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, "mlruns/1/bomb.bin", &zeros[..])
            .unwrap();
    });
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&tar).unwrap();
    let tgz = gz.finish().unwrap();
    let e = import_archive(&tgz, &limits).expect_err("tar.gz bomb refused");
    assert_eq!(e.kind, ImportErrorKind::TooLarge, "{e}");

    let many: Vec<RawEntry> = (0..1001).map(|_| file("mlruns/x", b"")).collect();
    let e = import_archive(&raw_zip(&many), &limits).expect_err("too many entries");
    assert_eq!(e.kind, ImportErrorKind::TooLarge, "{e}");
}

#[test]
fn zip_names_without_utf8_flag() {
    // Info-ZIP writes UTF-8 names without the flag: read them as UTF-8, not CP437.
    let meta = RawEntry {
        name: "mlruns/1/meta.yaml".as_bytes(),
        data: EXP_META.as_bytes(),
        utf8_flag: false,
        unix_mode: 0o100_644,
    };
    let tag = RawEntry {
        name: "mlruns/1/tags/ünï_中文".as_bytes(),
        data: b"v",
        utf8_flag: false,
        unix_mode: 0o100_644,
    };
    let snap = import(&raw_zip(&[meta, tag])).expect("imports");
    assert!(
        snap.experiments[0].tags.contains_key("ünï_中文"),
        "{:?}",
        snap.experiments[0].tags
    );
}

// ---- logged models and the registry -------------------------------------------------

const MODEL: &str = "m-00112233445566778899aabbccddeeff";

fn model_meta() -> String {
    format!(
        "artifact_location: file:///tmp/mlruns/1/models/{MODEL}/artifacts\n\
         creation_timestamp: 1\nexperiment_id: '1'\nlast_updated_timestamp: 2\n\
         model_id: {MODEL}\nmodel_type: null\nname: model\nsource_run_id: {RUN}\nstatus: 2\n\
         status_message: null\n"
    )
}

const REG_META: &str =
    "creation_timestamp: 1\ndescription: null\nlast_updated_timestamp: 2\nname: reg\n";

fn version_meta(n: u64) -> String {
    format!(
        "creation_timestamp: 3\ncurrent_stage: None\ndescription: null\n\
         last_updated_timestamp: 3\nname: reg\nrun_id: {RUN}\nsource: models:/{MODEL}\n\
         status: READY\nversion: {n}\n"
    )
}

/// [`store`] with a logged model and a registered model with one version.
fn model_store(changes: &[(&str, Option<&[u8]>)]) -> Vec<u8> {
    let meta = model_meta();
    let version = version_meta(1);
    let mut all: Vec<(String, Option<Vec<u8>>)> = vec![
        (
            format!("mlruns/1/models/{MODEL}/meta.yaml"),
            Some(meta.into_bytes()),
        ),
        (
            format!("mlruns/1/models/{MODEL}/metrics/acc"),
            Some(format!("1 0.5 0 {RUN}\n").into_bytes()),
        ),
        ("mlruns/models/reg/meta.yaml".into(), Some(REG_META.into())),
        (
            "mlruns/models/reg/version-1/meta.yaml".into(),
            Some(version.into_bytes()),
        ),
        (
            "mlruns/models/reg/aliases/champion".into(),
            Some(b"1".to_vec()),
        ),
    ];
    for (path, data) in changes {
        let path = path.replace("MODEL", MODEL);
        all.retain(|(p, _)| *p != path);
        all.push((path, data.map(<[u8]>::to_vec)));
    }
    let refs: Vec<(&str, Option<&[u8]>)> = all
        .iter()
        .map(|(p, d)| (p.as_str(), d.as_deref()))
        .collect();
    store(&refs)
}

#[test]
fn a_valid_model_store_reads() {
    let snap = import(&model_store(&[])).expect("valid");
    assert_eq!(snap.logged_models.len(), 1);
    assert_eq!(
        snap.logged_models[0].model.metrics[0].run_id.as_deref(),
        Some(RUN)
    );
    let reg = &snap.registered_models[0];
    assert_eq!((reg.name.as_str(), reg.aliases["champion"]), ("reg", 1));
    assert!(snap.warnings.is_empty(), "{:?}", snap.warnings);
}

#[test]
fn broken_logged_model_files() {
    let meta = format!("mlruns/1/models/{MODEL}/meta.yaml");
    let zip = model_store(&[(
        "mlruns/1/models/MODEL/meta.yaml",
        Some(b"name: x\nstatus: [2\n"),
    )]);
    assert_names(
        &err(&zip),
        ImportErrorKind::Invalid,
        &format!("{meta} line "),
    );
    let zip = model_store(&[("mlruns/1/models/MODEL/meta.yaml", Some(b""))]);
    assert_names(
        &err(&zip),
        ImportErrorKind::Invalid,
        &format!("{meta}: empty meta.yaml; MLflow cannot read this logged model"),
    );
    let no_name = model_meta().replace("name: model\n", "");
    let zip = model_store(&[("mlruns/1/models/MODEL/meta.yaml", Some(no_name.as_bytes()))]);
    assert_names(&err(&zip), ImportErrorKind::Invalid, "missing key 'name'");
    let status = model_meta().replace("status: 2", "status: 7");
    let zip = model_store(&[("mlruns/1/models/MODEL/meta.yaml", Some(status.as_bytes()))]);
    assert_names(
        &err(&zip),
        ImportErrorKind::Invalid,
        "status must be 1 (PENDING)",
    );
    let status = model_meta().replace("status: 2", "status: READY");
    let zip = model_store(&[("mlruns/1/models/MODEL/meta.yaml", Some(status.as_bytes()))]);
    assert_names(
        &err(&zip),
        ImportErrorKind::Invalid,
        &format!("{meta} line 9"),
    );

    let lines = format!("1 0.5 0 {RUN}\n1 0.5 0\n");
    let zip = model_store(&[("mlruns/1/models/MODEL/metrics/acc", Some(lines.as_bytes()))]);
    assert_names(
        &err(&zip),
        ImportErrorKind::Invalid,
        &format!(
            "mlruns/1/models/{MODEL}/metrics/acc line 2: expected 'timestamp value step run_id"
        ),
    );
    let zip = model_store(&[("mlruns/1/models/MODEL/metrics/acc", Some(b"1 x 0 r\n"))]);
    assert_names(
        &err(&zip),
        ImportErrorKind::Invalid,
        "acc line 1: value 'x' is not a number",
    );
    let zip = model_store(&[("mlruns/1/models/MODEL/params/bad key!", Some(b"v"))]);
    assert_names(&err(&zip), ImportErrorKind::Invalid, "params/bad key!");
}

#[test]
fn logged_models_mlflow_skips_are_left_out_with_a_word() {
    let other = model_meta().replace("experiment_id: '1'", "experiment_id: '2'");
    let zip = model_store(&[("mlruns/1/models/MODEL/meta.yaml", Some(other.as_bytes()))]);
    let snap = import(&zip).expect("lenient like MLflow");
    assert!(snap.logged_models.is_empty());
    assert!(
        snap.warnings
            .iter()
            .any(|w| w.contains(MODEL) && w.contains("experiment")),
        "{:?}",
        snap.warnings
    );
    let zip = model_store(&[("mlruns/1/models/m-nometa/tags/x", Some(b"v"))]);
    let snap = import(&zip).expect("lenient like MLflow");
    assert_eq!(snap.logged_models.len(), 1);
    assert!(
        snap.warnings.iter().any(|w| w.contains("m-nometa")),
        "{:?}",
        snap.warnings
    );
    assert!(!snap.extra_files.keys().any(|p| p.contains("m-nometa")));
}

#[test]
fn broken_registry_files() {
    let zip = model_store(&[(
        "mlruns/models/reg/version-1/meta.yaml",
        Some(b"name: reg\nversion: one\n"),
    )]);
    assert_names(
        &err(&zip),
        ImportErrorKind::Invalid,
        "mlruns/models/reg/version-1/meta.yaml line 2",
    );
    let v = version_meta(1).replace("creation_timestamp: 3\n", "");
    let zip = model_store(&[("mlruns/models/reg/version-1/meta.yaml", Some(v.as_bytes()))]);
    assert_names(
        &err(&zip),
        ImportErrorKind::Invalid,
        "missing key 'creation_timestamp'",
    );
    let zip = model_store(&[("mlruns/models/reg/meta.yaml", Some(b"description: x\n"))]);
    assert_names(
        &err(&zip),
        ImportErrorKind::Invalid,
        "mlruns/models/reg/meta.yaml: missing key 'name'",
    );
    let zip = model_store(&[("mlruns/models/reg/meta.yaml", Some(b"\n"))]);
    assert_names(
        &err(&zip),
        ImportErrorKind::Invalid,
        "cannot read this registered model",
    );
    let zip = model_store(&[("mlruns/models/reg/version-1/tags/bad key!", Some(b"v"))]);
    assert_names(
        &err(&zip),
        ImportErrorKind::Invalid,
        "version-1/tags/bad key!",
    );
    let zip = model_store(&[("mlruns/models/reg/aliases/champion", Some(b"\xff"))]);
    assert_names(
        &err(&zip),
        ImportErrorKind::Invalid,
        "aliases/champion: not valid UTF-8",
    );
}

#[test]
fn registry_folders_mlflow_cannot_list_are_left_out_with_a_word() {
    let zip = model_store(&[
        ("mlruns/models/no-meta/tags/x", Some(b"v")),
        ("mlruns/models/reg/version-2/tags/x", Some(b"v")),
        ("mlruns/models/50%/meta.yaml", Some(b"name: 50%\n")),
    ]);
    let snap = import(&zip).expect("the rest imports");
    let reg: Vec<(&str, Vec<u64>)> = (snap.registered_models.iter())
        .map(|m| (m.name.as_str(), m.versions.keys().copied().collect()))
        .collect();
    assert_eq!(reg, [("reg", vec![1])]);
    for needle in [
        "mlruns/models/no-meta",
        "mlruns/models/reg/version-2",
        "mlruns/models/50%",
    ] {
        assert!(
            snap.warnings
                .iter()
                .any(|w| w.contains(needle) && w.contains("not imported")),
            "{needle}: {:?}",
            snap.warnings
        );
    }
    assert!(
        snap.extra_files.keys().all(|p| !p.starts_with("models/")),
        "{:?}",
        snap.extra_files.keys()
    );
}
