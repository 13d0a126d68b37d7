//! Credit assignment in layered networks: one file per algorithm, registered here.
