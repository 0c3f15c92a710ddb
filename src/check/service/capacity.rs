//! A service's `capacity`: the capacity provider strategy that places its
//! tasks on Fargate, Fargate Spot or both.
//!
//! Contract: a strategy names each provider once, puts a base on at most
//! one of them and has a weight somewhere, as ECS requires.

use super::*;
use crate::catalogue::ServiceError;

/// The providers a `capacity` statement names.
const PROVIDERS: [(&str, CapacityProvider); 2] =
    [("fargate", CapacityProvider::Fargate), ("spot", CapacityProvider::FargateSpot)];

impl Checker {
    /// `capacity fargate|spot`, or `capacity { fargate [base N] [weight W]
    /// spot [base N] [weight W] }`.
    pub(in crate::check) fn capacity(&mut self, statement: &Statement<'_>) -> Option<Vec<CapacityShare>> {
        let Some(block) = statement.block else {
            let provider = self.reader.keyword(statement.args.first()?, "capacity provider", &PROVIDERS)?;
            return Some(vec![CapacityShare { provider, base: 0, weight: 1 }]);
        };
        if let Some(extra) = statement.args.first() {
            self.report(ServiceError::CapacityWordAndBlock.at(extra.span()));
            return None;
        }
        let before = self.reader.errors.len();
        let lines = split(&statements::CAPACITY, &block.lines, &mut self.reader.errors);
        if lines.is_empty() {
            if self.reader.errors.len() == before {
                self.report(ServiceError::CapacityEmpty.at(block.span));
            }
            return None;
        }
        let mut shares = Vec::with_capacity(lines.len());
        let mut first_base: Option<Span> = None;
        let mut valid = self.reader.errors.len() == before;
        for line in &lines {
            let provider = PROVIDERS.iter().find(|(name, _)| *name == line.spec.name).map(|(_, p)| *p)?;
            let base = match line.option("base") {
                Some(item) => {
                    if let Some(first) = first_base {
                        self.report(ServiceError::CapacityBaseTwice { first }.at(item.span()));
                        valid = false;
                    }
                    first_base.get_or_insert(item.span());
                    self.reader.number(item, "a capacity base", 0, 100_000)
                }
                None => Some(0),
            };
            let weight = match line.option("weight") {
                Some(item) => self.reader.number(item, "a capacity weight", 0, 1000),
                None => Some(1),
            };
            match (base, weight) {
                (Some(base), Some(weight)) => {
                    shares.push(CapacityShare { provider, base: base as u32, weight: weight as u32 })
                }
                _ => valid = false,
            }
        }
        if valid && shares.iter().all(|share| share.weight == 0) {
            self.report(ServiceError::CapacityWithoutWeight.at(statement.span));
            return None;
        }
        valid.then_some(shares)
    }
}
