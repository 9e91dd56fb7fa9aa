//! Browser projects (`core::project`): the MLproject parse, strict parameter checks,
//! the ES-module import scanner, the bundle order and the hashes.

use ferroflow::core::error::ErrorCode;
use ferroflow::core::ids::IdGen;
use ferroflow::core::project::*;

const EXAMPLE: &str = r#"
name: mnist-demo
entry_points:
  main:
    module: train.js        # relative to the MLproject file
    function: main          # default "main"
    parameters:
      lr: {type: float, default: 0.01}
      epochs: {type: int, default: 5}
      data: {type: uri, default: "./data.csv"}
      label: string         # shorthand: type only, no default → required
  py_only:
    command: "python train.py --alpha {alpha}"
    parameters:
      alpha: {type: float, default: 0.5}
"#;

fn example() -> Project {
    parse_mlproject(EXAMPLE).expect("the example parses")
}

/// The parse error for an MLproject, asserting its code.
fn parse_err(text: &str) -> String {
    let e = parse_mlproject(text).expect_err("should be refused");
    assert_eq!(e.code, ErrorCode::InvalidParameterValue);
    e.message
}

/// A one-entry-point MLproject with the given parameter lines.
fn with_params(params: &str) -> String {
    format!("entry_points:\n  main:\n    module: a.js\n    parameters:\n{params}")
}

fn ep_with(params: &str) -> EntryPoint {
    parse_mlproject(&with_params(params))
        .unwrap()
        .entry_points
        .remove(0)
}

fn text(s: &str) -> Given {
    Given::Text(s.to_owned())
}

fn given(pairs: &[(&str, Given)]) -> Vec<(String, Given)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// Checks one value for a parameter `p` of the given type (no default).
fn check_one(kind: &str, value: Given) -> std::result::Result<Checked, String> {
    let ep = ep_with(&format!("      p: {kind}\n"));
    check_parameters(&ep, &[("p".into(), value)])
        .map(|mut v| v.remove(0))
        .map_err(|e| e.message)
}

// ---------------------------------------------------------------- MLproject parse

#[test]
fn the_example_parses_in_file_order_with_defaults_as_text() {
    let p = example();
    assert_eq!(p.name.as_deref(), Some("mnist-demo"));
    assert_eq!(p.environment, None);
    let names: Vec<_> = p.entry_points.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["main", "py_only"]);
    let main = &p.entry_points[0];
    assert_eq!(
        main.run,
        Runnable::Browser {
            module: "train.js".into(),
            function: "main".into()
        }
    );
    let params: Vec<_> = main
        .parameters
        .iter()
        .map(|q| (q.name.as_str(), q.kind, q.default.as_deref()))
        .collect();
    assert_eq!(
        params,
        [
            ("lr", ParamKind::Float, Some("0.01")),
            ("epochs", ParamKind::Int, Some("5")),
            ("data", ParamKind::Uri, Some("./data.csv")),
            ("label", ParamKind::String, None),
        ]
    );
    let py = &p.entry_points[1];
    assert_eq!(
        py.run,
        Runnable::Command("python train.py --alpha {alpha}".into())
    );
    assert_eq!(py.parameters[0].default.as_deref(), Some("0.5"));
}

#[test]
fn many_parameters_keep_file_order() {
    let lines: String = (0..40)
        .rev()
        .map(|i| format!("      p{i}: {{type: int, default: {i}}}\n"))
        .collect();
    let ep = ep_with(&lines);
    let names: Vec<String> = ep.parameters.iter().map(|p| p.name.clone()).collect();
    let want: Vec<String> = (0..40).rev().map(|i| format!("p{i}")).collect();
    assert_eq!(names, want);
}

#[test]
fn param_kinds_are_spelled_as_mlflow_does() {
    let all: Vec<_> = ParamKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(all, ["float", "int", "string", "uri", "path"]);
    for k in ParamKind::ALL {
        assert_eq!(ParamKind::parse(k.as_str()), Some(k));
        assert_eq!(k.to_string(), k.as_str());
    }
    assert_eq!(ParamKind::parse("Float"), None);
}

#[test]
fn a_mapping_without_type_is_a_string_and_shorthand_is_required() {
    let ep = ep_with("      a: {default: hello}\n      b: path\n      c: {type: float}\n");
    let specs: Vec<_> = ep
        .parameters
        .iter()
        .map(|q| (q.kind, q.default.clone()))
        .collect();
    assert_eq!(
        specs,
        [
            (ParamKind::String, Some("hello".into())),
            (ParamKind::Path, None),
            (ParamKind::Float, None),
        ]
    );
}

#[test]
fn yaml_defaults_are_recorded_as_their_string_form() {
    let ep = ep_with(
        "      a: {type: float, default: 0.010}\n\
         \x20     b: {type: float, default: 1.0}\n\
         \x20     c: {type: float, default: 1e-7}\n\
         \x20     d: {type: int, default: -12}\n\
         \x20     e: {type: string, default: true}\n\
         \x20     f: {type: string, default: 2.5}\n\
         \x20     g: {type: float, default: \"0.010\"}\n\
         \x20     h: {type: float, default: 12345678901234567890}\n\
         \x20     i: {type: string, default: 1.0e+21}\n\
         \x20     j: {type: string, default: null}\n",
    );
    let d: Vec<_> = ep.parameters.iter().map(|q| q.default.as_deref()).collect();
    assert_eq!(
        d,
        [
            Some("0.01"),
            Some("1"),
            Some("1e-7"),
            Some("-12"),
            Some("true"),
            Some("2.5"),
            Some("0.010"),
            Some("12345678901234567890"),
            Some("1e+21"),
            None,
        ]
    );
}

#[test]
fn bad_defaults_are_refused_naming_entry_point_and_parameter() {
    let m = parse_err(&with_params("      epochs: {type: int, default: 2.5}\n"));
    assert!(m.contains("entry point 'main'"), "{m}");
    assert!(m.contains("parameter 'epochs'"), "{m}");
    assert!(m.contains("2.5 is not an int"), "{m}");

    let m = parse_err(&with_params("      lr: {type: float, default: fast}\n"));
    assert!(
        m.contains("'lr'") && m.contains("\"fast\" is not a float"),
        "{m}"
    );

    let m = parse_err(&with_params("      lr: {type: float, default: .nan}\n"));
    assert!(
        m.contains("'lr'") && m.contains("not a finite number"),
        "{m}"
    );

    let m = parse_err(&with_params(
        "      n: {type: int, default: 9007199254740992}\n",
    ));
    assert!(m.contains("'n'") && m.contains("safe integer"), "{m}");

    let m = parse_err(&with_params("      f: {type: path, default: ../secret}\n"));
    assert!(
        m.contains("'f'") && m.contains("leaves the project folder"),
        "{m}"
    );

    let m = parse_err(&with_params("      u: {type: uri, default: \"a b\"}\n"));
    assert!(m.contains("'u'") && m.contains("whitespace"), "{m}");

    let m = parse_err(&with_params("      l: {type: string, default: [1, 2]}\n"));
    assert!(m.contains("'l'") && m.contains("a list"), "{m}");

    let m = parse_err(&with_params("      b: {type: float, default: true}\n"));
    assert!(
        m.contains("'b'") && m.contains("true is not a float"),
        "{m}"
    );
}

#[test]
fn unknown_types_are_refused_naming_parameter_and_type() {
    let m = parse_err(&with_params("      lr: {type: double, default: 1}\n"));
    assert!(m.contains("entry point 'main'"), "{m}");
    assert!(m.contains("parameter 'lr'"), "{m}");
    assert!(m.contains("'double'"), "{m}");
    assert!(m.contains("float, int, string, uri, path"), "{m}");

    let m = parse_err(&with_params("      x: Float\n"));
    assert!(m.contains("'x'") && m.contains("'Float'"), "{m}");

    let m = parse_err(&with_params("      x: {type: 3}\n"));
    assert!(
        m.contains("'x'") && m.contains("'type' must be text"),
        "{m}"
    );

    let m = parse_err(&with_params("      x:\n"));
    assert!(m.contains("'x'"), "{m}");
}

#[test]
fn parameter_names_must_be_valid_param_keys() {
    let m = parse_err(&with_params("      \"a!b\": float\n"));
    assert!(m.contains("a!b") && m.contains("Invalid param name"), "{m}");
    let m = parse_err(&with_params("      \"../x\": float\n"));
    assert!(m.contains("../x"), "{m}");
}

#[test]
fn an_entry_point_needs_a_module_or_a_command() {
    let m = parse_err("entry_points:\n  train:\n    parameters: {a: float}\n");
    assert!(m.contains("entry point 'train'"), "{m}");
    assert!(
        m.contains("neither a 'module'") && m.contains("'command'"),
        "{m}"
    );

    let m = parse_err("entry_points:\n  empty:\n");
    assert!(m.contains("'empty'") && m.contains("neither"), "{m}");

    let m = parse_err("entry_points:\n  list: [1]\n");
    assert!(m.contains("'list'") && m.contains("mapping"), "{m}");
}

#[test]
fn module_and_command_together_run_in_the_browser() {
    let p = parse_mlproject(
        "entry_points:\n  both:\n    command: python x.py\n    module: ./web/x.js\n    function: run\n",
    )
    .unwrap();
    let ep = p.entry_point("both").unwrap();
    assert_eq!(
        ep.run,
        Runnable::Browser {
            module: "web/x.js".into(),
            function: "run".into()
        }
    );
    assert_eq!(ep.browser().unwrap(), ("web/x.js", "run"));
}

#[test]
fn command_only_entry_points_cannot_run_in_the_browser() {
    let p = example();
    let ep = p.entry_point("py_only").unwrap();
    let e = ep.browser().unwrap_err();
    assert!(e.message.contains("'py_only'") && e.message.contains("python train.py"));
    assert!(e.message.contains("cannot run in the browser"));
    // Its parameters still check: a form can show them.
    let c = check_parameters(ep, &[]).unwrap();
    assert_eq!(c[0].value, Value::Float(0.5));
}

#[test]
fn function_must_be_an_identifier_and_needs_a_module() {
    for ok in ["main", "_train", "$go", "train2", "default", "Ünïcode_no"] {
        let r = parse_mlproject(&format!(
            "entry_points:\n  m:\n    module: a.js\n    function: {ok}\n"
        ));
        if ok.is_ascii() {
            let ep = r.unwrap().entry_points.remove(0);
            assert_eq!(ep.browser().unwrap().1, ok);
        } else {
            let m = r.unwrap_err().message;
            assert!(m.contains("not a JavaScript identifier"), "{m}");
        }
    }
    for bad in ["train-it", "2go", "a.b", "\"\"", "\"a b\""] {
        let m = parse_err(&format!(
            "entry_points:\n  m:\n    module: a.js\n    function: {bad}\n"
        ));
        assert!(m.contains("entry point 'm'"), "{bad}: {m}");
        assert!(m.contains("not a JavaScript identifier"), "{bad}: {m}");
    }
    let m = parse_err("entry_points:\n  m:\n    command: run.sh\n    function: main\n");
    assert!(m.contains("'m'") && m.contains("needs a 'module'"), "{m}");
}

#[test]
fn module_paths_are_normalised_and_kept_inside_the_project() {
    for (given, want) in [
        ("train.js", "train.js"),
        ("./train.js", "train.js"),
        ("./src//lib/./a.js", "src/lib/a.js"),
        ("src/../b.js", "b.js"),
    ] {
        let p =
            parse_mlproject(&format!("entry_points:\n  m:\n    module: \"{given}\"\n")).unwrap();
        assert_eq!(p.entry_points[0].browser().unwrap().0, want, "{given}");
    }
    for (given, why) in [
        ("../train.js", "leaves the project folder"),
        ("src/../../x.js", "leaves the project folder"),
        ("/train.js", "is absolute"),
        ("https://cdn.example/a.js", "is a URL"),
        ("data:text/javascript,1", "is a URL"),
        ("C:\\\\x\\\\a.js", "'\\'"),
        ("./", "project folder itself"),
        ("", "is empty"),
    ] {
        let m = parse_err(&format!("entry_points:\n  m:\n    module: \"{given}\"\n"));
        assert!(m.contains("entry point 'm'"), "{given}: {m}");
        assert!(m.contains(why), "{given}: {m}");
    }
}

#[test]
fn environment_keys_are_kept_and_checked() {
    let p = parse_mlproject("python_env: python_env.yaml\nentry_points: {}\n").unwrap();
    assert_eq!(
        p.environment,
        Some(Environment::Python("python_env.yaml".into()))
    );
    let p = parse_mlproject("conda_env: conda.yaml\n").unwrap();
    assert_eq!(p.environment, Some(Environment::Conda("conda.yaml".into())));
    let p = parse_mlproject(
        "docker_env:\n  image: mlflow-docker\n  volumes: [\"/a:/b\"]\ndatabricks_spark_job: {x: 1}\n",
    )
    .unwrap();
    assert_eq!(
        p.environment,
        Some(Environment::Docker {
            image: "mlflow-docker".into()
        })
    );
    let m = parse_err("python_env: a.yaml\nconda_env: b.yaml\n");
    assert!(
        m.contains("at most one") && m.contains("python_env and conda_env"),
        "{m}"
    );
    let m = parse_err("docker_env: img\n");
    assert!(m.contains("docker_env") && m.contains("image"), "{m}");
    let m = parse_err("conda_env: [a]\n");
    assert!(m.contains("'conda_env' must be text"), "{m}");
}

#[test]
fn unknown_keys_are_ignored_known_ones_are_strict() {
    let p = parse_mlproject(
        "name: x\nrequires: {tfjs: 4}\nentry_points:\n  m:\n    module: a.js\n    extra: 1\n",
    )
    .unwrap();
    assert_eq!(p.name.as_deref(), Some("x"));
    assert_eq!(p.entry_points.len(), 1);

    assert!(parse_err("name: [x]\n").contains("'name' must be text"));
    assert!(parse_err("entry_points: [main]\n").contains("'entry_points' must be a mapping"));
    assert!(parse_err("- a\n- b\n").contains("must be a YAML mapping"));
    assert!(parse_err("name: x\n  bad: : indent\n").contains("not valid YAML"));
    let m = parse_err("entry_points:\n  m:\n    module: 3\n");
    assert!(m.contains("'module' must be text"), "{m}");
    let m = parse_err("entry_points:\n  m:\n    module: a.js\n    parameters: [a]\n");
    assert!(m.contains("'parameters' must be a mapping"), "{m}");
    let m = parse_err("entry_points:\n  1:\n    module: a.js\n");
    assert!(m.contains("entry point names must be text"), "{m}");
}

#[test]
fn an_empty_mlproject_has_no_entry_points() {
    let p = parse_mlproject("").unwrap();
    assert_eq!(p.name, None);
    assert!(p.entry_points.is_empty());
    let e = p.entry_point("main").unwrap_err();
    assert!(e.message.contains("no entry points"), "{}", e.message);
}

#[test]
fn duplicate_keys_are_refused() {
    let m = parse_err("entry_points:\n  m:\n    module: a.js\n  m:\n    module: b.js\n");
    assert!(m.contains("not valid YAML"), "{m}");
}

#[test]
fn entry_point_lookup_lists_the_known_names() {
    let p = example();
    assert_eq!(p.entry_point("main").unwrap().name, "main");
    let e = p.entry_point("mian").unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidParameterValue);
    assert_eq!(
        e.message,
        "No entry point 'mian' in project 'mnist-demo'; its entry points: main, py_only."
    );
}

// ---------------------------------------------------------------- parameters

#[test]
fn defaults_fill_in_and_come_back_in_declaration_order() {
    let p = example();
    let ep = p.entry_point("main").unwrap();
    let c = check_parameters(
        ep,
        &given(&[("label", text("cat")), ("lr", Given::Number(0.5))]),
    )
    .unwrap();
    let got: Vec<_> = c
        .iter()
        .map(|c| (c.name.as_str(), c.kind, c.value.clone(), c.logged.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("lr", ParamKind::Float, Value::Float(0.5), "0.5"),
            ("epochs", ParamKind::Int, Value::Int(5), "5"),
            (
                "data",
                ParamKind::Uri,
                Value::Uri("./data.csv".into()),
                "./data.csv"
            ),
            ("label", ParamKind::String, Value::Text("cat".into()), "cat"),
        ]
    );
}

#[test]
fn every_problem_is_named_in_one_message() {
    let p = example();
    let ep = p.entry_point("main").unwrap();
    let e = check_parameters(
        ep,
        &given(&[("epochs", text("x")), ("lrr", Given::Number(1.0))]),
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidParameterValue);
    assert_eq!(
        e.message,
        "Invalid parameters for entry point 'main': 'epochs': \"x\" is not an int; 'lrr' is \
         not a parameter of 'main' (its parameters: lr, epochs, data, label); 'label' is \
         required (no default)."
    );
}

#[test]
fn names_given_twice_and_entry_points_without_parameters() {
    let p = example();
    let ep = p.entry_point("main").unwrap();
    let m = check_parameters(
        ep,
        &given(&[
            ("label", text("a")),
            ("label", text("b")),
            ("lr", Given::Bool(true)),
        ]),
    )
    .unwrap_err()
    .message;
    assert!(m.contains("'label' is given more than once"), "{m}");
    assert!(m.contains("'lr': true is not a float"), "{m}");

    let bare = parse_mlproject("entry_points:\n  m:\n    module: a.js\n").unwrap();
    let ep = bare.entry_point("m").unwrap();
    assert_eq!(check_parameters(ep, &[]).unwrap(), []);
    let m = check_parameters(ep, &given(&[("x", text("1"))]))
        .unwrap_err()
        .message;
    assert!(
        m.contains("'x' is not a parameter of 'm', which takes none"),
        "{m}"
    );
}

#[test]
fn float_values() {
    for (t, bits_of) in [
        ("0.010", 0.01),
        ("-1.5", -1.5),
        (".5", 0.5),
        ("1.", 1.0),
        ("2e-3", 0.002),
        ("1E+5", 1e5),
        ("-0", -0.0),
        ("007", 7.0),
    ] {
        let c = check_one("float", text(t)).unwrap();
        assert_eq!(c.logged, t, "logged verbatim");
        match c.value {
            Value::Float(x) => assert_eq!(x.to_bits(), f64::to_bits(bits_of), "{t}"),
            other => panic!("{t}: {other:?}"),
        }
    }
    for t in [
        "nan", "NaN", "inf", "Infinity", "-inf", "0x10", "", " 1", "1 ", "+1", "1e", "e5", ".",
        "-", "1_000", "1,5", "--1", "1e+", "١",
    ] {
        let m = check_one("float", text(t)).unwrap_err();
        assert!(
            m.contains(&format!("'p': {t:?} is not a float")),
            "{t}: {m}"
        );
    }
    let m = check_one("float", text("1e400")).unwrap_err();
    assert!(m.contains("out of range"), "{m}");
    for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let m = check_one("float", Given::Number(x)).unwrap_err();
        assert!(m.contains("is not a finite number"), "{m}");
    }
    let c = check_one("float", Given::Number(1e21)).unwrap();
    assert_eq!(c.logged, "1e+21");
    let c = check_one("float", Given::Number(3.0)).unwrap();
    assert_eq!((c.value, c.logged.as_str()), (Value::Float(3.0), "3"));
}

#[test]
fn int_values() {
    const MAX: i64 = (1 << 53) - 1;
    for (g, want, logged) in [
        (Given::Number(5.0), 5, "5"),
        (Given::Number(-0.0), 0, "0"),
        (Given::Number(MAX as f64), MAX, "9007199254740991"),
        (Given::Number(-(MAX as f64)), -MAX, "-9007199254740991"),
        (text("42"), 42, "42"),
        (text("-7"), -7, "-7"),
        (text("007"), 7, "007"),
        (text("9007199254740991"), MAX, "9007199254740991"),
    ] {
        let c = check_one("int", g.clone()).unwrap();
        assert_eq!(
            (c.value, c.logged.as_str()),
            (Value::Int(want), logged),
            "{g:?}"
        );
    }
    for g in [
        Given::Number(2.5),
        Given::Number(f64::NAN),
        Given::Number(f64::INFINITY),
        Given::Bool(false),
        text("4.0"),
        text("1e3"),
        text("+1"),
        text(" 1"),
        text(""),
        text("-"),
        text("0x1f"),
    ] {
        let m = check_one("int", g.clone()).unwrap_err();
        assert!(m.contains("is not an int"), "{g:?}: {m}");
    }
    for g in [
        Given::Number(9007199254740992.0),
        Given::Number(-1e300),
        text("9007199254740992"),
        text("-9007199254740992"),
        text("99999999999999999999999"),
    ] {
        let m = check_one("int", g.clone()).unwrap_err();
        assert!(m.contains("is not a safe integer"), "{g:?}: {m}");
    }
}

#[test]
fn string_values_accept_numbers_and_booleans_as_js_writes_them() {
    for (g, want) in [
        (text("hello world"), "hello world"),
        (text(""), ""),
        (Given::Number(0.1), "0.1"),
        (Given::Number(1e21), "1e+21"),
        (Given::Number(-0.0), "-0"),
        (Given::Number(f64::NAN), "NaN"),
        (Given::Bool(true), "true"),
    ] {
        let c = check_one("string", g).unwrap();
        assert_eq!(c.value, Value::Text(want.into()));
        assert_eq!(c.logged, want);
    }
}

#[test]
fn uri_values() {
    for ok in [
        "https://example.com/data.csv",
        "./data.csv",
        "data:text/csv,a%2Cb",
        "x",
    ] {
        let c = check_one("uri", text(ok)).unwrap();
        assert_eq!((c.value, c.logged.as_str()), (Value::Uri(ok.into()), ok));
    }
    for (g, why) in [
        (text(""), "is empty"),
        (text("a b"), "whitespace"),
        (text("a\tb"), "whitespace"),
        (text("a\u{7}b"), "control"),
        (Given::Number(1.0), "give it as text"),
    ] {
        let m = check_one("uri", g).unwrap_err();
        assert!(m.contains("is not a URI") && m.contains(why), "{m}");
    }
}

#[test]
fn path_values_are_project_files_or_run_artifacts() {
    for (t, want) in [
        ("data.csv", PathRef::Project("data.csv".into())),
        ("./data/../data.csv", PathRef::Project("data.csv".into())),
        ("data/", PathRef::Project("data".into())),
        (
            "runs:/0123456789abcdef0123456789abcdef/model/w.bin",
            PathRef::Artifact {
                run_id: "0123456789abcdef0123456789abcdef".into(),
                path: "model/w.bin".into(),
            },
        ),
        (
            "runs:/r1/./a//b",
            PathRef::Artifact {
                run_id: "r1".into(),
                path: "a/b".into(),
            },
        ),
    ] {
        let c = check_one("path", text(t)).unwrap();
        assert_eq!(c.value, Value::Path(want), "{t}");
        assert_eq!(c.logged, t, "logged as given");
    }
    for (t, why) in [
        ("../x.csv", "leaves the project folder"),
        ("/etc/passwd", "is absolute"),
        ("https://x/y.csv", "is a URL"),
        ("runs://x", "is not a run artifact"),
        ("runs:/", "is not a run artifact"),
        ("runs:/r1", "names a run but no file of it"),
        ("runs:/r1/", "names a run but no file of it"),
        ("runs:/r1/./", "names a run but no file of it"),
        ("runs:/r1/../../x", "its path leaves the project folder"),
        ("", "is empty"),
    ] {
        let m = check_one("path", text(t)).unwrap_err();
        assert!(
            m.contains(&format!("'p': {t:?}")) && m.contains(why),
            "{t}: {m}"
        );
    }
    let m = check_one("path", Given::Number(1.0)).unwrap_err();
    assert!(m.contains("give it as text"), "{m}");
}

#[test]
fn values_longer_than_mlflows_param_limit_are_refused() {
    let long = "x".repeat(6001);
    let m = check_one("string", text(&long)).unwrap_err();
    assert!(
        m.contains("'p' is 6001 characters long") && m.contains("6000"),
        "{m}"
    );
    // The message quotes at most 60 characters of a value.
    let m = check_one("int", text(&long)).unwrap_err();
    assert!(m.len() < 300, "{m}");
    assert!(check_one("string", text(&"x".repeat(6000))).is_ok());
}

// ---------------------------------------------------------------- imports

/// The specifiers found, with whether each is dynamic; asserts each range is the
/// quoted literal.
fn imports(src: &str) -> Vec<(String, bool)> {
    scan_imports(src)
        .into_iter()
        .map(|r| {
            let lit = &src[r.range.clone()];
            assert!(
                (lit.starts_with('"') && lit.ends_with('"'))
                    || (lit.starts_with('\'') && lit.ends_with('\'')),
                "{lit}"
            );
            (r.specifier, r.dynamic)
        })
        .collect()
}

fn statics(list: &[&str]) -> Vec<(String, bool)> {
    list.iter().map(|s| (s.to_string(), false)).collect()
}

#[test]
fn every_import_and_reexport_form_is_found() {
    let src = r#"
import x from "./a.js";
import {a as b, "c-d" as cd} from './b.js';
import "./side.js";
import * as ns from "./ns.js";
import x2, {y} from "./mixed.js";
import x3, * as ns3 from "./mixed2.js";
import data from "./d.json" with { type: "json" };
import{z}from"./tight.js"
export {a} from "./ra.js";
export {default as def, b as "bee"} from './rb.js';
export * from "./star.js";
export * as sns from "./starns.js";
export * as "odd name" from "./starodd.js";
import from from "./from.js";
import
  multi
  from
  "./multi.js";
import /* c */ { q } /* d */ from /* e */ "./commented.js";
"#;
    assert_eq!(
        imports(src),
        statics(&[
            "./a.js",
            "./b.js",
            "./side.js",
            "./ns.js",
            "./mixed.js",
            "./mixed2.js",
            "./d.json",
            "./tight.js",
            "./ra.js",
            "./rb.js",
            "./star.js",
            "./starns.js",
            "./starodd.js",
            "./from.js",
            "./multi.js",
            "./commented.js",
        ])
    );
}

#[test]
fn a_realistic_module_is_not_fooled_by_comments_strings_templates_or_regexes() {
    let src = r#"#!/usr/bin/env node
// import fake from "./comment1.js";
/* import fake from "./comment2.js";
   export * from "./comment3.js"; */
import * as tf from "https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@4.22.0/+esm";
import { load } from "./lib/data.js";

const msg = "import x from './string1.js'";
const msg2 = 'export * from "./string2.js"';
const tpl = `import y from "./template1.js" ${ `nested ${ "}" } import("./template2.js")` } done`;
const obj = { import: "./key.js", from: "./value.js" };
const re = /import "[^"]*"/g;
const re2 = x.split(/'/);
const ratio = a / b / c; import "./after-division.js";
const url = new URL("./weights.bin", import.meta.url);
reimport("./notreally.js");
obj.import("./method.js");
obj?.import("./optional.js");
this.#import("./private.js");
const lazy = await import("./lazy.js");
const withOpts = import('./opts.js', { with: { type: "json" } });
const computed = import("./a" + name);
const templ = import(`./templ.js`);
export { load };
export { tf as default };
export const from = "./not-a-reexport.js";
export default function main() {
  if (x) { return /"/.test(s); }
  return import("./inner.js");
}
export { load as load2 } from "./lib/data.js";
"#;
    assert_eq!(
        imports(src),
        vec![
            (
                "https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@4.22.0/+esm".to_string(),
                false
            ),
            ("./lib/data.js".into(), false),
            ("./after-division.js".into(), false),
            ("./lazy.js".into(), true),
            ("./opts.js".into(), true),
            ("./inner.js".into(), true),
            ("./lib/data.js".into(), false),
        ]
    );
}

#[test]
fn template_interpolations_are_code() {
    let src = "const a = `${ await import(\"./in-template.js\") }`; `${ {a: 1} }`; import \"./after.js\";";
    assert_eq!(
        imports(src),
        vec![
            ("./in-template.js".to_string(), true),
            ("./after.js".into(), false)
        ]
    );
}

#[test]
fn specifier_escapes_are_decoded_and_ranges_cover_the_literal() {
    let src = "import a from \"./a\\x2ejs\";\nimport b from './\\u{62}.js';\nimport c from \"./\\u00e9.js\";";
    let found = scan_imports(src);
    let specs: Vec<_> = found.iter().map(|r| r.specifier.as_str()).collect();
    assert_eq!(specs, ["./a.js", "./b.js", "./é.js"]);
    assert_eq!(&src[found[0].range.clone()], "\"./a\\x2ejs\"");
    // A malformed escape is not an import (the browser would refuse the module).
    assert!(scan_imports("import a from \"./\\x4\";").is_empty());
    assert!(scan_imports("import a from \"./\\1.js\";").is_empty());
}

#[test]
fn unterminated_and_odd_input_finds_what_it_can() {
    assert!(scan_imports("import x from \"./a.js").is_empty());
    assert!(scan_imports("import").is_empty());
    assert!(scan_imports("import(").is_empty());
    assert!(scan_imports("`${").is_empty());
    assert!(scan_imports("/* import \"./a.js\"").is_empty());
    assert_eq!(
        imports("const s = \"unterminated\nimport \"./next-line.js\";"),
        statics(&["./next-line.js"])
    );
    assert_eq!(
        imports("\u{feff}import \"./bom.js\";"),
        statics(&["./bom.js"])
    );
    assert_eq!(
        imports("é\u{a0}import \"./nbsp.js\";"),
        statics(&["./nbsp.js"])
    );
    assert!(scan_imports("éimport \"./word.js\";").is_empty());
}

#[test]
fn resolving_imports() {
    let ok = |from: &str, spec: &str| resolve_import(from, spec).unwrap();
    assert_eq!(
        ok("train.js", "./lib/a.js"),
        Resolved::InProject("lib/a.js".into())
    );
    assert_eq!(
        ok("lib/a.js", "./b.js"),
        Resolved::InProject("lib/b.js".into())
    );
    assert_eq!(
        ok("lib/a.js", "../c.js"),
        Resolved::InProject("c.js".into())
    );
    assert_eq!(
        ok("lib/x/a.js", "../../c.js"),
        Resolved::InProject("c.js".into())
    );
    assert_eq!(
        ok("a.js", ".//b//./c.js"),
        Resolved::InProject("b/c.js".into())
    );
    for ext in [
        "lodash",
        "@scope/pkg",
        "/abs.js",
        "https://cdn.example/x.js",
        "data:text/javascript,export default 1",
        "blob:https://x/123",
        ".",
        "..",
        ".hidden.js",
    ] {
        assert_eq!(ok("lib/a.js", ext), Resolved::External(ext.into()));
    }
    let e = resolve_import("lib/a.js", "../../x.js").unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidParameterValue);
    assert!(e.message.contains("'lib/a.js'") && e.message.contains("'../../x.js'"));
    assert!(
        e.message.contains("leaves the project folder"),
        "{}",
        e.message
    );
    let e = resolve_import("a.js", "./b.js?v=2").unwrap_err();
    assert!(e.message.contains("query or fragment"), "{}", e.message);
}

#[test]
fn rewrite_round_trips_and_points_imports_elsewhere() {
    let src = "import a from './a.js';\n// é\nexport * from \"./b.js\";\nimport('./c.js');\n";
    let found = scan_imports(src);
    assert_eq!(found.len(), 3);
    let same: Vec<_> = found
        .iter()
        .map(|r| (r.range.clone(), src[r.range.clone()].to_owned()))
        .collect();
    assert_eq!(rewrite(src, &same), src);
    assert_eq!(rewrite(src, &[]), src);

    let edits: Vec<_> = found
        .iter()
        .enumerate()
        .map(|(i, r)| (r.range.clone(), format!("\"blob:https://site/{i}\"")))
        .collect();
    let out = rewrite(src, &edits);
    assert_eq!(
        out,
        "import a from \"blob:https://site/0\";\n// é\nexport * from \"blob:https://site/1\";\nimport(\"blob:https://site/2\");\n"
    );
    let again: Vec<_> = scan_imports(&out)
        .into_iter()
        .map(|r| (r.specifier, r.dynamic))
        .collect();
    assert_eq!(
        again,
        [
            ("blob:https://site/0".to_string(), false),
            ("blob:https://site/1".into(), false),
            ("blob:https://site/2".into(), true)
        ]
    );
}

// ---------------------------------------------------------------- bundle

fn graph(edges: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    edges
        .iter()
        .map(|(f, deps)| (f.to_string(), deps.iter().map(|d| d.to_string()).collect()))
        .collect()
}

#[test]
fn bundle_order_puts_dependencies_first() {
    let g = graph(&[
        ("main.js", &["a.js", "b.js"]),
        ("a.js", &["c.js"]),
        ("b.js", &["c.js"]),
        ("c.js", &[]),
    ]);
    assert_eq!(
        bundle_order(&g).unwrap(),
        ["c.js", "a.js", "b.js", "main.js"]
    );

    let chain = graph(&[("c.js", &[]), ("a.js", &["b.js"]), ("b.js", &["c.js"])]);
    assert_eq!(bundle_order(&chain).unwrap(), ["c.js", "b.js", "a.js"]);

    // Two entry modules sharing a library; an import listed twice.
    let two = graph(&[
        ("x.js", &["lib.js", "lib.js"]),
        ("y.js", &["lib.js"]),
        ("lib.js", &[]),
    ]);
    assert_eq!(bundle_order(&two).unwrap(), ["lib.js", "x.js", "y.js"]);
    assert_eq!(bundle_order(&[]).unwrap(), Vec::<String>::new());
}

#[test]
fn bundle_order_refuses_cycles_naming_the_files() {
    let g = graph(&[
        ("main.js", &["a.js"]),
        ("a.js", &["b.js"]),
        ("b.js", &["c.js"]),
        ("c.js", &["a.js"]),
    ]);
    let e = bundle_order(&g).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidParameterValue);
    assert!(
        e.message.contains("a.js → b.js → c.js → a.js"),
        "{}",
        e.message
    );
    assert!(!e.message.contains("main.js"), "{}", e.message);

    let own = graph(&[("self.js", &["self.js"])]);
    let m = bundle_order(&own).unwrap_err().message;
    assert!(m.contains("self.js → self.js"), "{m}");
}

#[test]
fn bundle_order_refuses_missing_and_repeated_files() {
    let m = bundle_order(&graph(&[("a.js", &["gone.js"])]))
        .unwrap_err()
        .message;
    assert!(m.contains("'a.js' imports 'gone.js'"), "{m}");
    let m = bundle_order(&graph(&[("a.js", &[]), ("a.js", &[])]))
        .unwrap_err()
        .message;
    assert!(m.contains("'a.js' more than once"), "{m}");
}

#[test]
fn a_long_import_chain_does_not_overflow_the_stack() {
    let n = 100_000;
    let g: Vec<(String, Vec<String>)> = (0..n)
        .map(|i| {
            let deps = if i + 1 < n {
                vec![format!("m{}.js", i + 1)]
            } else {
                vec![]
            };
            (format!("m{i}.js"), deps)
        })
        .collect();
    // Keep the quadratic lookups of a 100k graph out of this test: only the walk matters.
    let g = &g[n - 3000..];
    let order = bundle_order(g).unwrap();
    assert_eq!(order.first().map(String::as_str), Some("m99999.js"));
    assert_eq!(order.len(), 3000);
}

// ---------------------------------------------------------------- hashes

#[test]
fn sha256_known_vectors() {
    assert_eq!(
        sha256_hex(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        sha256_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    );
    assert_eq!(
        sha256_hex(&vec![b'a'; 1_000_000]),
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
    );
}

#[test]
fn the_project_hash_is_over_the_sorted_manifest() {
    let a = ("train.js".to_string(), sha256_hex(b"main"));
    let b = ("MLproject".to_string(), sha256_hex(b"name: x"));
    let c = ("lib/data.js".to_string(), sha256_hex(b"export {}"));
    let h = project_sha256(&[a.clone(), b.clone(), c.clone()]);
    assert_eq!(h, project_sha256(&[c.clone(), a.clone(), b.clone()]));
    assert_eq!(h, project_sha256(&[b.clone(), c.clone(), a.clone()]));
    // The manifest, spelled out: sorted by path bytes ('M' < 'l' < 't').
    let manifest = format!(
        "MLproject\0{}\nlib/data.js\0{}\ntrain.js\0{}\n",
        b.1, c.1, a.1
    );
    assert_eq!(h, sha256_hex(manifest.as_bytes()));
    // Hex case does not matter; content, names and presence do.
    let upper = (a.0.clone(), a.1.to_uppercase());
    assert_eq!(h, project_sha256(&[upper, b.clone(), c.clone()]));
    assert_ne!(h, project_sha256(&[a.clone(), b.clone()]));
    assert_ne!(
        h,
        project_sha256(&[("train2.js".into(), a.1.clone()), b.clone(), c.clone()])
    );
    assert_ne!(
        h,
        project_sha256(&[("train.js".into(), sha256_hex(b"x")), b, c])
    );
    assert_eq!(project_sha256(&[]), sha256_hex(b""));
}

// ---------------------------------------------------------------- finding MLproject

#[test]
fn finding_the_mlproject_file_in_a_zip() {
    assert_eq!(
        find_mlproject(&["MLproject", "train.js"]).unwrap(),
        "MLproject"
    );
    assert_eq!(
        find_mlproject(&["demo/", "demo/mlproject", "demo/train.js"]).unwrap(),
        "demo/mlproject"
    );
    assert_eq!(
        find_mlproject(&[
            "demo/sub/MLproject",
            "demo/MLPROJECT",
            "__MACOSX/demo/._MLproject"
        ])
        .unwrap(),
        "demo/MLPROJECT"
    );
    let m = find_mlproject(&["a/MLproject", "b/MLproject", "a/b/c/MLproject"])
        .unwrap_err()
        .message;
    assert!(
        m.contains("a/MLproject, b/MLproject") && m.contains("2 MLproject files"),
        "{m}"
    );
    let m = find_mlproject(&["MLproject.bak", "src/MLproject.yaml", "MLproject/"])
        .unwrap_err()
        .message;
    assert!(m.contains("no MLproject file"), "{m}");
    assert_eq!(project_root("MLproject"), "");
    assert_eq!(project_root("demo/MLproject"), "demo/");
    assert_eq!(project_root("a/b/MLproject"), "a/b/");
    assert_eq!(normalize_project_path("./a//b/../c.js").unwrap(), "a/c.js");
    assert!(normalize_project_path("../x")
        .unwrap_err()
        .message
        .contains("'../x' leaves the project folder"));
}

// ---------------------------------------------------------------- properties

/// Random text built from JS and YAML fragments, and arbitrary characters.
fn random_text(g: &mut IdGen, pieces: &[&str]) -> String {
    let n = g.next_u64() % 40;
    let mut s = String::new();
    for _ in 0..n {
        match g.next_u64() % 4 {
            0 => {
                let bytes: Vec<u8> = (0..g.next_u64() % 6).map(|_| g.next_u64() as u8).collect();
                s.push_str(&String::from_utf8_lossy(&bytes));
            }
            1 => s.push(char::from_u32((g.next_u64() % 0x300) as u32).unwrap_or('x')),
            _ => s.push_str(pieces[(g.next_u64() % pieces.len() as u64) as usize]),
        }
    }
    s
}

const JS_PIECES: &[&str] = &[
    "import",
    "export",
    " ",
    "\n",
    "from",
    "\"",
    "'",
    "`",
    "${",
    "}",
    "{",
    "(",
    ")",
    "/",
    "*",
    "//",
    "/*",
    "*/",
    "\\",
    "./a.js",
    "as",
    ",",
    ";",
    ".",
    "?.",
    "#",
    "[",
    "]",
    "=",
    "return",
    "import(",
    "import.meta",
    "x",
    "\\u{",
    "\\x",
    "é",
    "\r\n",
    "...",
    "1",
    "0x",
    "e+",
];

const YAML_PIECES: &[&str] = &[
    "name: ",
    "entry_points:",
    "\n",
    "  ",
    "main:",
    "module: ",
    "function: ",
    "command: ",
    "parameters:",
    "{type: ",
    "float",
    "int",
    "path",
    "uri",
    "string",
    "default: ",
    "}",
    "[",
    "]",
    "- ",
    ": ",
    "\"",
    "'",
    "#",
    "&a ",
    "*a",
    "!!str ",
    "!tag ",
    "1e9",
    "-0.0",
    ".nan",
    "../",
    "runs:/",
    "python_env: ",
    "docker_env:",
    "image: ",
    "~",
    "null",
    "|",
    ">",
    "? ",
    ",",
    "\t",
    "%YAML 1.2\n",
    "---\n",
];

#[test]
fn scan_imports_never_panics_and_ranges_are_literals() {
    let mut g = IdGen::new(0x5eed_1111);
    for _ in 0..20_000 {
        let src = random_text(&mut g, JS_PIECES);
        let found = scan_imports(&src);
        let mut at = 0;
        for r in &found {
            assert!(r.range.start >= at && r.range.end <= src.len(), "{src:?}");
            let lit = src.get(r.range.clone()).expect("ranges on char boundaries");
            let q = lit.as_bytes()[0];
            assert!(lit.len() >= 2 && (q == b'"' || q == b'\'') && lit.ends_with(q as char));
            at = r.range.end;
        }
        // A rewrite with the same text is the identity.
        let same: Vec<_> = found
            .iter()
            .map(|r| (r.range.clone(), src[r.range.clone()].to_owned()))
            .collect();
        assert_eq!(rewrite(&src, &same), src);
        for r in &found {
            let _ = resolve_import("dir/m.js", &r.specifier);
        }
    }
}

#[test]
fn parse_mlproject_never_panics() {
    let mut g = IdGen::new(0x5eed_2222);
    for _ in 0..5_000 {
        let _ = parse_mlproject(&random_text(&mut g, YAML_PIECES));
    }
    // Mutations of a valid file: delete, duplicate or replace a span.
    for _ in 0..5_000 {
        let mut s: Vec<char> = EXAMPLE.chars().collect();
        for _ in 0..1 + g.next_u64() % 3 {
            let i = (g.next_u64() % s.len() as u64) as usize;
            let j = (i + (g.next_u64() % 8) as usize).min(s.len());
            match g.next_u64() % 3 {
                0 => {
                    s.drain(i..j);
                }
                1 => {
                    let dup: Vec<char> = s[i..j].to_vec();
                    s.splice(i..i, dup);
                }
                _ => {
                    let piece = YAML_PIECES[(g.next_u64() % YAML_PIECES.len() as u64) as usize];
                    s.splice(i..j, piece.chars());
                }
            }
            if s.is_empty() {
                break;
            }
        }
        let text: String = s.into_iter().collect();
        if let Ok(p) = parse_mlproject(&text) {
            // Whatever parses has valid defaults: checking with none given either fills
            // them in or names the required ones.
            for ep in &p.entry_points {
                if let Err(e) = check_parameters(ep, &[]) {
                    assert!(e.message.contains("is required"), "{}", e.message);
                }
            }
        }
    }
}

#[test]
fn floats_round_trip_bit_for_bit() {
    let ep = ep_with("      x: float\n      s: string\n");
    let mut g = IdGen::new(0x5eed_3333);
    let mut checked = 0;
    while checked < 100_000 {
        let x = match g.next_u64() % 4 {
            0 => f64::from_bits(g.next_u64() % (1 << 52)), // subnormals
            1 => (g.next_u64() % 1_000_000_000) as f64 / 1e9,
            _ => f64::from_bits(g.next_u64()),
        };
        if !x.is_finite() {
            continue;
        }
        checked += 1;
        let c = check_parameters(
            &ep,
            &[
                ("x".into(), Given::Number(x)),
                ("s".into(), Given::Number(x)),
            ],
        )
        .unwrap();
        match c[0].value {
            Value::Float(v) => assert_eq!(v.to_bits(), x.to_bits()),
            ref other => panic!("{other:?}"),
        }
        let back: f64 = c[0].logged.parse().unwrap();
        assert_eq!(back.to_bits(), x.to_bits(), "{x:e} logged {}", c[0].logged);
        // The logged text is itself a valid float value, read back the same.
        let again = check_parameters(
            &ep,
            &[
                ("x".into(), Given::Text(c[0].logged.clone())),
                ("s".into(), text("")),
            ],
        )
        .unwrap();
        assert_eq!(again[0].value, Value::Float(x));
        assert_eq!(
            c[1].logged, c[0].logged,
            "string params log numbers the same way"
        );
    }
}

#[test]
fn safe_integers_round_trip() {
    const MAX: i64 = (1 << 53) - 1;
    let ep = ep_with("      n: int\n");
    let mut g = IdGen::new(0x5eed_4444);
    for i in 0..100_000 {
        let n = match i % 3 {
            0 => (g.next_u64() % (2 * MAX as u64 + 1)) as i64 - MAX,
            1 => (g.next_u64() % 2001) as i64 - 1000,
            _ => MAX - (g.next_u64() % 10) as i64,
        };
        for given in [Given::Number(n as f64), Given::Text(n.to_string())] {
            let c = check_parameters(&ep, &[("n".into(), given)]).unwrap();
            assert_eq!(c[0].value, Value::Int(n));
            assert_eq!(c[0].logged.parse::<i64>().unwrap(), n);
        }
    }
}

#[test]
fn the_shipped_example_project_parses_and_bundles() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/project");
    let text = std::fs::read_to_string(dir.join("MLproject")).unwrap();
    let p = parse_mlproject(&text).unwrap();
    let names: Vec<&str> = p.entry_points.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["main", "crash", "forever", "python"]);
    assert!(p.entry_point("python").unwrap().browser().is_err());
    let mut graph = Vec::new();
    for ep in &p.entry_points {
        let _ = check_parameters(ep, &[]);
        let Ok((module, _)) = ep.browser() else {
            continue;
        };
        let src = std::fs::read_to_string(dir.join(module)).unwrap();
        let deps: Vec<String> = scan_imports(&src)
            .iter()
            .filter_map(|r| match resolve_import(module, &r.specifier).unwrap() {
                Resolved::InProject(p) => Some(p),
                Resolved::External(_) => None,
            })
            .collect();
        for d in &deps {
            if !graph.iter().any(|(f, _): &(String, Vec<String>)| f == d) {
                let lib = std::fs::read_to_string(dir.join(d)).unwrap();
                assert!(scan_imports(&lib).is_empty());
                graph.push((d.clone(), vec![]));
            }
        }
        graph.push((module.to_owned(), deps));
    }
    let order = bundle_order(&graph).unwrap();
    assert_eq!(order.len(), graph.len());
    assert!(order.iter().any(|f| f == "lib/util.js"), "{order:?}");
    let util = order.iter().position(|f| f == "lib/util.js").unwrap();
    let train = order.iter().position(|f| f == "train.js").unwrap();
    assert!(
        util < train,
        "a dependency comes before its dependent: {order:?}"
    );
}
