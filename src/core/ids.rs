//! Ids and default names: 32-hex run ids, 18-digit experiment ids and MLflow-style
//! `adjective-noun-123` run names, from a small seeded generator (the caller seeds it
//! from the platform's randomness, so core stays pure and tests stay deterministic).

/// A SplitMix64 generator: fast, good enough for ids that only need to be unique.
#[derive(Clone, Debug)]
pub struct IdGen {
    state: u64,
}

impl IdGen {
    /// A generator from a seed (mix several entropy sources into it).
    pub fn new(seed: u64) -> Self {
        IdGen { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A run id: 32 lowercase hex characters, like `uuid4().hex`.
    pub fn run_id(&mut self) -> String {
        format!("{:016x}{:016x}", self.next_u64(), self.next_u64())
    }

    /// A logged model id: `m-` and 32 lowercase hex characters, as MLflow 3 makes them.
    pub fn model_id(&mut self) -> String {
        format!("m-{}", self.run_id())
    }

    /// An experiment id: an 18-digit integer, as MLflow's file store makes them.
    pub fn experiment_id(&mut self) -> String {
        let n = 100_000_000_000_000_000 + self.next_u64() % 900_000_000_000_000_000;
        n.to_string()
    }

    /// A random run name in MLflow's `adjective-noun-NNN` form.
    pub fn run_name(&mut self) -> String {
        let r = self.next_u64();
        let adj = ADJECTIVES[(r % ADJECTIVES.len() as u64) as usize];
        let noun = NOUNS[((r >> 16) % NOUNS.len() as u64) as usize];
        format!("{adj}-{noun}-{}", (r >> 32) % 1000)
    }
}

const ADJECTIVES: &[&str] = &[
    "abundant",
    "agreeable",
    "amazing",
    "auspicious",
    "awesome",
    "bemused",
    "bold",
    "brawny",
    "bright",
    "calm",
    "capable",
    "carefree",
    "clean",
    "clumsy",
    "colorful",
    "crawling",
    "dapper",
    "debonair",
    "defiant",
    "delicate",
    "efficient",
    "enchanting",
    "fearless",
    "funny",
    "gentle",
    "glamorous",
    "gregarious",
    "handsome",
    "honorable",
    "illustrious",
    "indecisive",
    "intelligent",
    "judicious",
    "kindly",
    "languid",
    "learned",
    "legendary",
    "likeable",
    "loud",
    "luminous",
    "masked",
    "melodic",
    "merciful",
    "mercurial",
    "monumental",
    "mysterious",
    "nebulous",
    "omniscient",
    "orderly",
    "overjoyed",
    "peaceful",
    "painted",
    "persistent",
    "placid",
    "polite",
    "popular",
    "powerful",
    "puzzled",
    "rambunctious",
    "rebellious",
    "redolent",
    "resilient",
    "respected",
    "righteous",
    "rogue",
    "rumbling",
    "salty",
    "sassy",
    "secretive",
    "selective",
    "sedate",
    "serious",
    "shivering",
    "skillful",
    "sincere",
    "skittish",
    "silent",
    "smiling",
    "sneaky",
    "sophisticated",
    "spiffy",
    "stately",
    "suave",
    "stylish",
    "tasteful",
    "thoughtful",
    "thundering",
    "traveling",
    "treasured",
    "trusting",
    "unequaled",
    "upbeat",
    "unique",
    "unleashed",
    "useful",
    "upset",
    "valuable",
    "victorious",
    "welcoming",
    "whimsical",
    "wistful",
    "wise",
    "worried",
    "youthful",
    "zealous",
];

const NOUNS: &[&str] = &[
    "ant", "ape", "asp", "auk", "bass", "bat", "bear", "bee", "bird", "boar", "bug", "calf",
    "carp", "cat", "chimp", "cod", "colt", "conch", "cow", "crab", "crane", "croc", "crow", "cub",
    "deer", "doe", "dog", "dolphin", "donkey", "dove", "duck", "eel", "elk", "fawn", "finch",
    "fish", "flea", "fly", "foal", "fowl", "fox", "frog", "gnat", "gnu", "goat", "goose", "grouse",
    "grub", "gull", "hare", "hawk", "hen", "hog", "horse", "hound", "jay", "kit", "kite", "koi",
    "lamb", "lark", "loon", "lynx", "mare", "midge", "mink", "mole", "moose", "moth", "mouse",
    "mule", "newt", "owl", "ox", "panda", "penguin", "perch", "pig", "pug", "quail", "ram", "rat",
    "ray", "robin", "roo", "rook", "seal", "shad", "shark", "sheep", "shoat", "shrew", "shrike",
    "shrimp", "skink", "skunk", "sloth", "slug", "smelt", "snail", "snake", "snipe", "sow",
    "sponge", "squid", "stag", "steed", "stoat", "stork", "swan", "tern", "toad", "trout",
    "turtle", "vole", "wasp", "whale", "wolf", "worm", "wren", "yak", "zebra",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_mlflow_shapes() {
        let mut g = IdGen::new(7);
        let r = g.run_id();
        assert_eq!(r.len(), 32);
        assert!(r
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        let e = g.experiment_id();
        assert_eq!(e.len(), 18, "{e}");
        let n = g.run_name();
        assert_eq!(n.split('-').count(), 3, "{n}");
        assert_ne!(g.run_id(), r);
    }
}
