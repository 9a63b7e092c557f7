"""iTunes Lookup API: App Store metadata (name, seller, genre, price, ratings) of apps by id."""
