//! Integration tests of rampart-game: the model's checks, the honest challenger, adversarial games.

mod adversarial;
mod common;
mod honest;
mod model;
mod super_games;
