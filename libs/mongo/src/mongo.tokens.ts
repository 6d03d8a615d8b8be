/** The connected MongoClient of this process. */
export const MONGO_CLIENT = Symbol('MONGO_CLIENT');
/** The chatstream database on that client. */
export const MONGO_DB = Symbol('MONGO_DB');
