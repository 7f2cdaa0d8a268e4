// The one part of jStat (npm `jstat`, no published types) this project calls.
declare module 'jstat' {
  export const jStat: {
    studentt: { inv(p: number, dof: number): number };
  };
}
