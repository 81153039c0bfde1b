// Runs before every npm script (package.json "pre*" hooks), in plain JavaScript so that an old Node
// reaches it: the project's scripts are TypeScript run by Node's type stripping (Node >= 22.12).
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `Fashion-MNIST Live needs Node >= 22.12 (this is ${process.version}): run ./run ${process.env.npm_lifecycle_event?.replace(/^pre/, "") ?? "start"} instead, which installs Node 24 into .tools/node, or install Node 24 yourself.`,
  );
  process.exit(1);
}
