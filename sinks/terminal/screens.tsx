/**
 * Everything drawn with Ink, in one module: the command's bundle carries it as text and compiles it
 * only when a screen is drawn (cli/build.ts), so one copy of Ink and React serves every screen.
 */
export { mountProgress } from "./progress_line.tsx";
export { frameText, mountScreen } from "./top_screen.tsx";
