#include "cli/commands.h"

int main(int argc, char** argv) { return flyte::cli::Main(argc, argv); }
