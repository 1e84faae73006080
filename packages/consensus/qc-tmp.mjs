import Database from 'better-sqlite3'
const t = performance.now()
const db = new Database(process.argv[2], { fileMustExist: true, readonly: true })
console.log(db.pragma('quick_check(5)'), (performance.now() - t).toFixed(0), 'ms')
