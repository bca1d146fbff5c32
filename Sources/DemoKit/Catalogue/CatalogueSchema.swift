import GRDB

/// The catalogue database's schema, versioned with GRDB migrations.
/// Documented for people using `sqlite3` directly in `docs/catalogue-database.md`.
public enum CatalogueSchema {
    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE kit (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    CREATE TABLE source (
                        id TEXT PRIMARY KEY, name TEXT NOT NULL, licence TEXT, url TEXT, date TEXT);
                    CREATE TABLE category (id TEXT PRIMARY KEY, name_fr TEXT NOT NULL, name_en TEXT);
                    CREATE TABLE software (
                        id TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        description_fr TEXT NOT NULL,
                        description_en TEXT,
                        licence TEXT NOT NULL,
                        website TEXT,
                        repository TEXT,
                        sill_id TEXT,
                        source_id TEXT NOT NULL REFERENCES source(id),
                        source_ref TEXT);
                    CREATE TABLE software_category (
                        software_id TEXT NOT NULL REFERENCES software(id),
                        category_id TEXT NOT NULL REFERENCES category(id),
                        PRIMARY KEY (software_id, category_id));
                    CREATE TABLE software_platform (
                        software_id TEXT NOT NULL REFERENCES software(id),
                        platform TEXT NOT NULL,
                        PRIMARY KEY (software_id, platform));
                    CREATE TABLE replaced_product (
                        software_id TEXT NOT NULL REFERENCES software(id),
                        product TEXT NOT NULL,
                        PRIMARY KEY (software_id, product));
                    CREATE TABLE keyword (
                        software_id TEXT NOT NULL REFERENCES software(id),
                        keyword TEXT NOT NULL,
                        PRIMARY KEY (software_id, keyword));
                    CREATE TABLE organisation (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                    CREATE TABLE software_organisation (
                        software_id TEXT NOT NULL REFERENCES software(id),
                        organisation_id INTEGER NOT NULL REFERENCES organisation(id),
                        role TEXT NOT NULL CHECK (role IN ('user', 'provider')),
                        PRIMARY KEY (software_id, organisation_id, role));
                    CREATE TABLE profile (
                        id TEXT PRIMARY KEY, position INTEGER NOT NULL,
                        name_fr TEXT NOT NULL, name_en TEXT,
                        audience_fr TEXT NOT NULL, audience_en TEXT,
                        pitch_fr TEXT NOT NULL, pitch_en TEXT);
                    CREATE TABLE profile_app (
                        profile_id TEXT NOT NULL REFERENCES profile(id),
                        software_id TEXT NOT NULL REFERENCES software(id),
                        position INTEGER NOT NULL,
                        PRIMARY KEY (profile_id, software_id));
                    CREATE TABLE app_delivery (
                        software_id TEXT NOT NULL REFERENCES software(id),
                        kind TEXT NOT NULL CHECK (kind IN ('live', 'online', 'windows', 'appimage')),
                        value TEXT NOT NULL,
                        PRIMARY KEY (software_id, kind, value));
                    -- Full-text index over accent-folded text (TextFolding), one row per
                    -- software with the same rowid. Columns weigh name > replaced products
                    -- > keywords > description in the ranking.
                    CREATE VIRTUAL TABLE software_search USING fts5(
                        name, replaces, keywords, description,
                        tokenize = 'unicode61 remove_diacritics 2');
                    """)
        }
        return migrator
    }
}
