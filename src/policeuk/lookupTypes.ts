/** The shapes of an LSOA lookup and an LSOA 2011 → 2021 crosswalk (tables.ts reads them from files, ons.ts builds them from the shipped ONS geography). */

/** LSOA → row of a lookup file (e.g. the ONS LSOA → LAD → CSP → PFA lookup). */
export interface Lookup {
  file: string;
  lsoaColumn: string;
  header: readonly string[];
  /** LSOA code → its row's cells. */
  rows: Map<string, readonly string[]>;
}

export interface Crosswalk {
  file: string;
  from: string;
  to: string;
  /** code → representative (the group's smallest new code). */
  rep: Map<string, string>;
  /** representative → every code of its group (old and new), sorted. */
  members: Map<string, string[]>;
}
