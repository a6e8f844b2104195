//! A what-if scenario: what is compromised in which model, the simulation settings (trials,
//! seed, detection), the control designs to compare, and what each kind of fix costs
//! `recommend`.

use crate::design::{Change, Design, Keep};
use crate::model::{Distribution, NodeId};

/// Monte Carlo settings (DESIGN.md `[simulation]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    pub trials: u32,
    pub seed: u64,
    pub detection: Option<Detection>,
}

impl Simulation {
    /// The settings a design is simulated with: these, with the design's overrides. Its
    /// `set_detection` sets the mean days to detection and keeps the distribution (exponential
    /// when the scenario has no detection setting).
    pub fn for_design(&self, design: &Design) -> Simulation {
        let detection = match design.detection() {
            Some(set) => Some(Detection {
                mean_days: set.mean_days,
                distribution: self
                    .detection
                    .map_or(Default::default(), |d| d.distribution),
            }),
            None => self.detection,
        };
        Simulation {
            detection,
            ..self.clone()
        }
    }
}

/// Time to detection for the time model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    pub mean_days: f64,
    pub distribution: Distribution,
}

/// Cost of each kind of fix `recommend` searches (DESIGN.md: overridable in a scenario's
/// `[costs]` table).
#[derive(Debug, Clone, PartialEq)]
pub struct Costs {
    pub remove_grant: f64,
    pub remove_member: f64,
    pub remove_credential: f64,
    pub set_mfa: f64,
    pub set_retention: f64,
    pub drop_category: f64,
}

impl Default for Costs {
    fn default() -> Self {
        Costs {
            remove_grant: 1.0,
            remove_member: 1.0,
            remove_credential: 2.0,
            set_mfa: 2.0,
            set_retention: 3.0,
            drop_category: 5.0,
        }
    }
}

/// Money a year per unit of `[costs]` effort, for `recommend --objective loss` when
/// `[costs_per_year]` does not price a fix kind: an assumption (a one-unit access change, made
/// and kept, about a thousand a year of staff time), stated in the output and overridable.
pub const MONEY_A_YEAR_PER_EFFORT: f64 = 1000.0;

impl Costs {
    /// What each fix kind costs a year in money: `[costs_per_year]` where it prices the kind,
    /// else the kind's `[costs]` effort times [`MONEY_A_YEAR_PER_EFFORT`].
    pub fn per_year(&self, priced: Option<&Costs>) -> Costs {
        let mut out = self.clone();
        for name in Costs::NAMES {
            let given = priced.and_then(|p| p.get(name)).filter(|x| x.is_finite());
            if let Some(slot) = out.slot(name) {
                *slot = given.unwrap_or(*slot * MONEY_A_YEAR_PER_EFFORT);
            }
        }
        out
    }

    /// Whether every fix kind's cost a year comes from `[costs_per_year]`.
    pub fn all_priced(priced: Option<&Costs>) -> bool {
        priced.is_some_and(|p| {
            Costs::NAMES
                .iter()
                .all(|n| p.get(n).is_some_and(f64::is_finite))
        })
    }

    /// Every fix kind without a price (infinite cost: never searched), for `[costs_per_year]`
    /// to fill in.
    pub fn unpriced() -> Costs {
        Costs {
            remove_grant: f64::INFINITY,
            remove_member: f64::INFINITY,
            remove_credential: f64::INFINITY,
            set_mfa: f64::INFINITY,
            set_retention: f64::INFINITY,
            drop_category: f64::INFINITY,
        }
    }

    /// The fix kinds, as `[costs]` names them.
    pub const NAMES: [&'static str; 6] = [
        "remove_grant",
        "remove_member",
        "remove_credential",
        "set_mfa",
        "set_retention",
        "drop_category",
    ];

    /// The cost of the fix kind `[costs]` calls `name`.
    pub fn slot(&mut self, name: &str) -> Option<&mut f64> {
        Some(match name {
            "remove_grant" => &mut self.remove_grant,
            "remove_member" => &mut self.remove_member,
            "remove_credential" => &mut self.remove_credential,
            "set_mfa" => &mut self.set_mfa,
            "set_retention" => &mut self.set_retention,
            "drop_category" => &mut self.drop_category,
            _ => return None,
        })
    }

    /// The cost of the fix kind `[costs]` calls `name`.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.clone().slot(name).map(|x| *x)
    }

    /// The cost of a fix `recommend` makes.
    pub fn of(&self, c: &Change) -> f64 {
        match c {
            Change::RemoveGrant { .. } => self.remove_grant,
            Change::RemoveMember { .. } => self.remove_member,
            Change::RemoveCredential { .. } => self.remove_credential,
            Change::SetMfa { .. } => self.set_mfa,
            Change::SetRetention { .. } => self.set_retention,
            _ => self.drop_category,
        }
    }
}

/// A loaded scenario (its model travels beside it, see `load::LoadedScenario`).
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: Option<String>,
    /// The model path as the scenario writes it.
    pub model_path: String,
    pub compromised: Vec<NodeId>,
    pub simulation: Simulation,
    pub designs: Vec<Design>,
    /// `[costs]` over the defaults.
    pub costs: Costs,
    /// `[costs_per_year]`: what each kind of fix costs a year in the model's currency, for
    /// `recommend --objective loss`; kinds it leaves out are infinite here (see
    /// [`Costs::per_year`] for what they cost then).
    pub costs_per_year: Option<Costs>,
    /// `[attack] frequency_per_year`: incidents of this kind expected a year (FAIR's loss event
    /// frequency), for the annual loss.
    pub frequency_per_year: Option<f64>,
    /// `[attack] vector`: the model's `[entry]` vector the attack starts with (DESIGN.md "Entry
    /// likelihood"); `None` takes every compromised node for certain.
    pub vector: Option<String>,
    /// `[[keep]]`: access the business needs, which no fix `recommend` proposes may remove.
    pub keep: Vec<Keep>,
}
