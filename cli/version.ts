import pkg from "../package.json" with { type: "json" };

/** The version every command's --version prints (the bundle carries it, package.json is not read at run time). */
export const VERSION: string = pkg.version;
