import type { WriteStream } from "node:tty";
import { render, Text, useStderr } from "ink";

/**
 * One line of progress at the bottom of a terminal (stderr), redrawn in place by Ink. Other text for
 * that terminal (warnings) goes through `write`: Ink puts it above the line, so the two never garble
 * each other. `unmount` erases the line.
 */
export function mountProgress(out: WriteStream): { update(line: string): void; write(text: string): void; unmount(): void } {
  let line = "";
  let above: ((text: string) => void) | undefined;
  function Progress() {
    above = useStderr().write;
    return (
      <Text wrap="truncate-end" dimColor>
        {line}
      </Text>
    );
  }
  const ink = render(<Progress />, { stdout: out, stderr: out, exitOnCtrlC: false, patchConsole: false, maxFps: 10 });
  return {
    update(text) {
      line = text;
      ink.rerender(<Progress />);
    },
    write: (text) => (above ? above(text) : out.write(text)),
    unmount() {
      ink.clear();
      ink.unmount();
    },
  };
}
