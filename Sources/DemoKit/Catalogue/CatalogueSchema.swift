import GRDB

/// The catalogue database's schema, versioned with GRDB migrations.
/// Documented for people using `sqlite3` directly in `docs/catalogue-database.md`:
/// change both together. `kit.schema_version` names the last migration.
enum CatalogueSchema {
    static let version = "v3"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE kit (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    CREATE TABLE source (
                        id TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        licence TEXT,
                        url TEXT,
                        date TEXT,
                        credit TEXT);
                    CREATE TABLE category (id TEXT PRIMARY KEY, name_fr TEXT NOT NULL, name_en TEXT);
                    CREATE TABLE licence (
                        id TEXT PRIMARY KEY,
                        known INTEGER NOT NULL,
                        deprecated INTEGER NOT NULL);
                    CREATE TABLE software (
                        id TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        description_fr TEXT NOT NULL,
                        description_en TEXT,
                        french_missing INTEGER NOT NULL,
                        licence TEXT NOT NULL,
                        website TEXT,
                        repository TEXT,
                        documentation TEXT,
                        version TEXT,
                        release_date TEXT,
                        development_status TEXT,
                        maintenance TEXT,
                        sill_id TEXT,
                        sill_status TEXT,
                        sill_years INTEGER NOT NULL,
                        sill_first_year INTEGER,
                        sill_last_year INTEGER,
                        support_contract INTEGER NOT NULL,
                        comptoir_id TEXT,
                        source_id TEXT NOT NULL REFERENCES source(id),
                        source_ref TEXT);
                    CREATE INDEX software_sill ON software(sill_id);
                    CREATE TABLE software_licence (
                        software_id TEXT NOT NULL REFERENCES software(id),
                        licence_id TEXT NOT NULL REFERENCES licence(id),
                        PRIMARY KEY (software_id, licence_id));
                    CREATE TABLE software_category (
                        software_id TEXT NOT NULL REFERENCES software(id),
                        category_id TEXT NOT NULL REFERENCES category(id),
                        PRIMARY KEY (software_id, category_id));
                    CREATE INDEX software_category_category ON software_category(category_id);
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
                    CREATE TABLE organisation (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        kind TEXT NOT NULL CHECK (kind IN ('commune', 'public', 'company', 'other')));
                    CREATE TABLE software_organisation (
                        software_id TEXT NOT NULL REFERENCES software(id),
                        organisation_id INTEGER NOT NULL REFERENCES organisation(id),
                        role TEXT NOT NULL CHECK (role IN ('user', 'provider')),
                        source_id TEXT NOT NULL REFERENCES source(id),
                        PRIMARY KEY (software_id, organisation_id, role));
                    CREATE TABLE link (
                        software_id TEXT NOT NULL REFERENCES software(id),
                        kind TEXT NOT NULL CHECK (kind IN ('website', 'repository', 'documentation', 'sill', 'comptoir')),
                        url TEXT NOT NULL,
                        source_id TEXT NOT NULL REFERENCES source(id),
                        PRIMARY KEY (software_id, kind));
                    CREATE TABLE fact (
                        software_id TEXT NOT NULL REFERENCES software(id),
                        field TEXT NOT NULL,
                        source_id TEXT NOT NULL REFERENCES source(id),
                        source_ref TEXT,
                        date TEXT,
                        PRIMARY KEY (software_id, field));
                    CREATE TABLE health (
                        software_id TEXT PRIMARY KEY REFERENCES software(id),
                        score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
                        level TEXT NOT NULL CHECK (level IN ('strong', 'fair', 'weak', 'avoid', 'unknown')),
                        label_fr TEXT NOT NULL,
                        label_en TEXT NOT NULL,
                        advice_fr TEXT NOT NULL,
                        advice_en TEXT NOT NULL,
                        reference_date TEXT NOT NULL);
                    CREATE TABLE health_input (
                        software_id TEXT NOT NULL REFERENCES software(id),
                        position INTEGER NOT NULL,
                        key TEXT NOT NULL,
                        label_fr TEXT NOT NULL,
                        label_en TEXT NOT NULL,
                        value_fr TEXT NOT NULL,
                        value_en TEXT NOT NULL,
                        points INTEGER NOT NULL,
                        maximum INTEGER NOT NULL,
                        PRIMARY KEY (software_id, position));
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
                    -- software with the same rowid. Search ranks name matches first, then
                    -- replaced products, keywords, description (see CatalogueSearch).
                    CREATE VIRTUAL TABLE software_search USING fts5(
                        name, replaces, keywords, description,
                        tokenize = 'unicode61 remove_diacritics 2');
                    """)
        }
        // Provider records (`payload/providers/`): where they work, what they support,
        // and the source of each fact.
        migrator.registerMigration("v2") { db in
            try db.execute(
                sql: """
                    CREATE TABLE departement (code TEXT PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL);
                    CREATE TABLE provider (
                        id TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        website TEXT,
                        kind TEXT NOT NULL CHECK (kind IN ('company', 'cooperative', 'association', 'public')),
                        national INTEGER NOT NULL,
                        comptoir_id TEXT,
                        cnll_id TEXT);
                    CREATE TABLE provider_area (
                        provider_id TEXT NOT NULL REFERENCES provider(id),
                        kind TEXT NOT NULL CHECK (kind IN ('region', 'departement')),
                        value TEXT NOT NULL,
                        PRIMARY KEY (provider_id, kind, value));
                    CREATE TABLE provider_software (
                        provider_id TEXT NOT NULL REFERENCES provider(id),
                        software_id TEXT NOT NULL REFERENCES software(id),
                        via TEXT NOT NULL CHECK (via IN ('record', 'name')),
                        PRIMARY KEY (provider_id, software_id));
                    CREATE INDEX provider_software_software ON provider_software(software_id);
                    CREATE TABLE provider_fact (
                        provider_id TEXT NOT NULL REFERENCES provider(id),
                        fact TEXT NOT NULL,
                        url TEXT,
                        document TEXT,
                        date TEXT NOT NULL,
                        PRIMARY KEY (provider_id, fact));
                    """)
        }
        // What the live applications' Debian packages say (`payload/packages/`): one row
        // per application, each fact with its package, version and reading date.
        migrator.registerMigration("v3") { db in
            try db.execute(
                sql: """
                    CREATE TABLE package_facts (
                        software_id TEXT PRIMARY KEY REFERENCES software(id),
                        package TEXT NOT NULL,
                        version TEXT NOT NULL,
                        date TEXT NOT NULL,
                        metainfo TEXT,
                        summary_fr TEXT,
                        summary_en TEXT,
                        homepage TEXT,
                        bugtracker TEXT,
                        help TEXT,
                        release_version TEXT,
                        release_date TEXT,
                        icon_file TEXT,
                        icon_package TEXT,
                        icon_version TEXT,
                        icon_path TEXT,
                        icon_licence TEXT,
                        icon_copyright TEXT,
                        notes TEXT);
                    """)
        }
        return migrator
    }
}
