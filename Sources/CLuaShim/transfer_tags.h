/* The byte form of transferable values (transfer.c, transfer_decode.c):
   one tag byte per value, then its payload (8-byte integers, floats and
   lengths in the machine's order: the form never leaves the process). A
   table is TAG_TABLE, two uint32 sizes for lua_createtable (array part,
   hash part), its key and value pairs, TAG_END. */
#ifndef PRIO_TRANSFER_TAGS_H
#define PRIO_TRANSFER_TAGS_H

enum { TAG_NIL, TAG_FALSE, TAG_TRUE, TAG_INT, TAG_FLOAT, TAG_STRING, TAG_TABLE, TAG_END, TAG_JOB, TAG_TASK,
       TAG_CLOSURE };

#endif
