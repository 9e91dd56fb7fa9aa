#!/usr/bin/env python3
"""Writes the SQLite files the reader is tested on, with Python's sqlite3 (the real
SQLite), and next to each NAME.db the expected rows as NAME.json: every table SQLite
can list with `SELECT * ... ORDER BY rowid`, each value typed (so integers and floats
compare exactly).

    python3 make_dbs.py          # rewrites *.db, *.db-wal, *.json in this folder

Random content comes from a fixed seed, so a re-run writes the same rows (the files'
bytes may differ with the SQLite version).
"""

import json
import os
import random
import shutil
import sqlite3
import struct
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20261201)


def typed(v):
    if v is None:
        return None
    if isinstance(v, int):
        return {"i": str(v)}
    if isinstance(v, float):
        return {"r": struct.pack(">d", v).hex()}
    if isinstance(v, str):
        return {"t": v}
    return {"b": bytes(v).hex()}


def dump(path, wal_from=None):
    """Rows as SQLite returns them. The file is copied first: opening a WAL database
    checkpoints it on close, which would change the fixture."""
    tmp = tempfile.mkdtemp()
    try:
        copy = os.path.join(tmp, "x.db")
        shutil.copy(path, copy)
        if wal_from:
            shutil.copy(wal_from, copy + "-wal")
        con = sqlite3.connect(copy)
        con.text_factory = lambda b: b.decode("utf-8", "replace")
        tables = {}
        for (name, sql) in con.execute(
                "select name, sql from sqlite_master where type='table' order by name"):
            if "WITHOUT ROWID" in sql.upper():
                continue
            cur = con.execute(f'select * from "{name}" order by rowid')
            tables[name] = {"columns": [d[0] for d in cur.description],
                            "rows": [[typed(v) for v in row] for row in cur]}
        con.close()
        return {"tables": tables}
    finally:
        shutil.rmtree(tmp)


def write_json(name, doc):
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(doc, f, indent=0, sort_keys=True, ensure_ascii=False)
        f.write("\n")


def fresh(name):
    path = os.path.join(HERE, name + ".db")
    for side in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + side):
            os.remove(path + side)
    return path


def mixed():
    """512-byte pages: deep trees, overflow chains in tables and indexes, a freelist,
    rowid aliases, columns added by ALTER TABLE, quoted names, every serial type."""
    path = fresh("mixed_512")
    con = sqlite3.connect(path)
    con.execute("pragma page_size=512")
    con.execute("pragma auto_vacuum=none")
    con.execute('CREATE TABLE "experiments" (\n\texperiment_id INTEGER NOT NULL, \n\tname '
                'VARCHAR(256) NOT NULL, \n\tCONSTRAINT experiment_pk PRIMARY KEY (experiment_id)\n)')
    con.executemany("insert into experiments values (?, ?)",
                    [(i, f"exp-{i}-" + "ü" * (i % 7)) for i in range(60)])
    con.execute('CREATE TABLE "metrics" (\n\t"key" VARCHAR(250) NOT NULL, \n\tvalue FLOAT NOT '
                "NULL, \n\ttimestamp BIGINT NOT NULL, \n\trun_uuid VARCHAR(32) NOT NULL, \n\tstep "
                "BIGINT DEFAULT '0' NOT NULL, \n\tis_nan BOOLEAN DEFAULT '0' NOT NULL, \n\t"
                'CONSTRAINT metric_pk PRIMARY KEY ("key", timestamp, step, run_uuid, value, '
                "is_nan), \n\tCHECK (is_nan IN (0, 1))\n)")
    runs = ["%032x" % rng.getrandbits(128) for _ in range(7)]
    rows = []
    for i in range(800):
        v = rng.choice([float(rng.randrange(-5, 5)), rng.uniform(-1e6, 1e6), 1.7976931348623157e308,
                        -1.7976931348623157e308, float("inf"), 0.0, -0.0, 5e-324])
        rows.append((f"m{i % 5}", v, 1_700_000_000_000 + i, runs[i % 7], i // 5, 0))
    con.executemany("insert into metrics values (?, ?, ?, ?, ?, ?)", rows)
    con.execute("create index index_metrics_run on metrics (run_uuid)")
    con.execute("CREATE TABLE values_t (a INTEGER, b REAL, c TEXT, d BLOB, e NUMERIC, f)")
    ints = [0, 1, -1, 127, 128, -129, 32767, -32768, 2**23, 2**31 - 1, -(2**31), 2**47, 2**63 - 1,
            -(2**63)]
    floats = [0.0, -0.0, 5e-324, 1.5, -2.25, 1e308, float("inf"), float("-inf"), 3.0, 1e15]
    texts = ["", "plain", "ünïcödé 中文 😀", "x" * 1200, "".join(chr(rng.randrange(32, 0x2000))
                                                             for _ in range(1200))]
    blobs = [b"", b"\x00\x01\x02", bytes(rng.getrandbits(8) for _ in range(3000))]
    for i in range(20):
        con.execute("insert into values_t values (?, ?, ?, ?, ?, ?)", (
            ints[i % len(ints)], floats[i % len(floats)], texts[i % len(texts)],
            blobs[i % len(blobs)], rng.choice([None, 7, 2.5, "12", "text", "1e3"]),
            rng.choice([None, 1, 1.25, "t", b"\xff"])))
    con.execute("create index index_values_c on values_t (c)")   # long keys: index overflow
    con.execute('CREATE TABLE "runs" (\n\trun_uuid VARCHAR(32) NOT NULL, \n\tname VARCHAR(250), '
                "\n\tCONSTRAINT run_pk PRIMARY KEY (run_uuid)\n)")
    con.executemany("insert into runs values (?, ?)", [(r, f"run-{i}") for i, r in enumerate(runs)])
    con.execute("ALTER TABLE runs ADD COLUMN deleted_time BIGINT")
    con.execute("ALTER TABLE runs ADD COLUMN step BIGINT DEFAULT '0' NOT NULL")
    con.execute("ALTER TABLE runs ADD COLUMN note TEXT DEFAULT 'n/a'")
    con.execute("ALTER TABLE runs ADD COLUMN score REAL DEFAULT 2")
    con.execute("ALTER TABLE runs ADD COLUMN neg INTEGER DEFAULT -3")
    con.executemany("insert into runs values (?, ?, ?, ?, ?, ?, ?)",
                    [("%032x" % rng.getrandbits(128), "late", 1700, 4, "set", 0.5, 9)
                     for _ in range(5)])
    con.execute('CREATE TABLE [weird table] ("select" TEXT, `from` INTEGER, [a b] REAL, '
                "'quoted' VARCHAR(3))")
    con.executemany("insert into [weird table] values (?, ?, ?, ?)",
                    [("s", 1, 2, "q"), (None, None, None, None)])
    con.execute("CREATE TABLE seq (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT)")
    con.executemany("insert into seq (v) values (?)", [("a",), ("b",), ("c",)])
    con.execute("delete from seq where v = 'b'")
    con.execute("CREATE TABLE wr (k TEXT PRIMARY KEY, v) WITHOUT ROWID")
    con.executemany("insert into wr values (?, ?)", [(f"k{i}", "v" * 300) for i in range(30)])
    con.execute("CREATE TABLE filler (x TEXT)")
    con.executemany("insert into filler values (?)", [("f" * 400,) for _ in range(120)])
    con.execute("delete from filler where rowid % 3 != 0")      # leaves a freelist
    con.execute("create view v_runs as select run_uuid from runs")
    con.execute("create trigger t_runs after insert on runs begin select 1; end")
    con.commit()
    con.close()
    write_json("mixed_512", dump(path))


def autovacuum():
    """Incremental auto-vacuum: pointer-map pages, and a freelist that stays."""
    path = fresh("autovacuum_512")
    con = sqlite3.connect(path)
    con.execute("pragma page_size=512")
    con.execute("pragma auto_vacuum=incremental")
    con.execute("create table t (id INTEGER PRIMARY KEY, body TEXT, n REAL)")
    con.executemany("insert into t (body, n) values (?, ?)",
                    [("b" * rng.randrange(10, 700), float(i)) for i in range(200)])
    con.execute("delete from t where id % 4 = 0")
    con.commit()
    con.close()
    write_json("autovacuum_512", dump(path))


def utf16(name, encoding):
    path = fresh(name)
    con = sqlite3.connect(path)
    con.execute("pragma page_size=512")
    con.execute(f"pragma encoding='{encoding}'")
    con.execute('create table "tags" ("key" VARCHAR(250) NOT NULL, value VARCHAR(8000))')
    con.executemany("insert into tags values (?, ?)",
                    [("mlflow.runName", "ünïcödé 中文 😀"), ("long", "é" * 3000), ("empty", "")])
    con.commit()
    con.close()
    write_json(name, dump(path))


def big_pages():
    """65536-byte pages: the header stores the size as 1."""
    path = fresh("page_65536")
    con = sqlite3.connect(path)
    con.execute("pragma page_size=65536")
    con.execute("create table t (a TEXT, b FLOAT)")
    con.executemany("insert into t values (?, ?)", [("x" * 70000, 1.0), ("y", 2.5)])
    con.commit()
    con.close()
    write_json("page_65536", dump(path))


def wal():
    """A WAL database copied while its connection is open: the main file lacks the
    later commits, the -wal file has them, then a transaction that never commits
    (pages spilled to the WAL by a one-page cache). `wal_before_last.json` is the state
    before the last committed transaction, which is one frame."""
    path = fresh("wal")
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("pragma page_size=1024")
    con.execute("pragma journal_mode=wal")
    con.execute("pragma wal_autocheckpoint=0")
    con.execute('create table "runs" (run_uuid VARCHAR(32) NOT NULL, status VARCHAR(9), '
                "value FLOAT, CONSTRAINT run_pk PRIMARY KEY (run_uuid))")
    con.execute("insert into runs values ('r0', 'RUNNING', 1)")
    con.execute("pragma wal_checkpoint(TRUNCATE)")          # r0 is in the main file
    for i in range(1, 40):
        con.execute("insert into runs values (?, 'RUNNING', ?)", (f"r{i}", i * 0.5))
    con.execute("create table later (x TEXT)")
    con.execute("insert into later values ('only in the WAL')")
    before = os.path.join(HERE, "wal.before.db")
    tmp_wal = before + "-wal"
    shutil.copy(path, before)
    shutil.copy(path + "-wal", tmp_wal)
    write_json("wal_before_last", dump(before, tmp_wal))
    os.remove(before)
    os.remove(tmp_wal)
    con.execute("update runs set status = 'FINISHED' where run_uuid = 'r0'")   # one frame
    con.execute("pragma cache_size=1")
    con.execute("begin")
    con.executemany("insert into runs values (?, 'NEVER', 0)", [(f"u{i}" * 20,) for i in range(300)])
    shutil.copy(path, path + ".main")
    shutil.copy(path + "-wal", path + ".wal")
    con.execute("rollback")
    con.close()                      # the last close checkpoints and removes the WAL
    os.replace(path + ".main", path)
    os.replace(path + ".wal", path + "-wal")
    if os.path.exists(path + "-shm"):
        os.remove(path + "-shm")
    write_json("wal", dump(path, os.path.join(HERE, "wal.db-wal")))
    write_json("wal_main_only", dump(path))


if __name__ == "__main__":
    mixed()
    autovacuum()
    utf16("utf16le", "UTF-16le")
    utf16("utf16be", "UTF-16be")
    big_pages()
    wal()
    print("sqlite", sqlite3.sqlite_version, "->", HERE)
